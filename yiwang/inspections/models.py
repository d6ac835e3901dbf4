"""双随机、一公开 (plan 四(十七)1): item list, inspector roster, plans, verifiable draws, tasks and results.

A plan names its departments (several for a joint plan), its items, which entities form the pool and
the share of each credit risk class to draw. When the plan is published a secret is generated and only
its SM3 commitment is shown; the draw reveals the secret, so anyone can check the commitment and
recompute the draw from the stored pool and roster snapshots (``yiwang.inspections.draw``).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yiwang.credit.models import RiskClass


class InspectionItem(models.Model):
    """One line of the 抽查事项清单: what may be inspected, by whom, on which legal basis."""

    class Kind(models.TextChoices):
        GENERAL = "general", _("一般检查事项")
        KEY = "key", _("重点检查事项")

    code = models.CharField(_("事项编码"), max_length=32, unique=True)
    name = models.CharField(_("抽查事项"), max_length=200)
    department = models.ForeignKey(
        "org.Department", verbose_name=_("实施部门"), on_delete=models.PROTECT, related_name="inspection_items"
    )
    legal_basis = models.TextField(_("检查依据"))
    kind = models.CharField(_("事项类别"), max_length=16, choices=Kind.choices, default=Kind.GENERAL)
    method = models.CharField(_("检查方式"), max_length=100, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("抽查事项")
        verbose_name_plural = _("抽查事项清单")
        ordering = ["department_id", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Inspector(models.Model):
    """One person of the 执法检查人员名录库 of a department, with a law-enforcement certificate."""

    department = models.ForeignKey(
        "org.Department", verbose_name=_("所属部门"), on_delete=models.PROTECT, related_name="inspectors"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("平台账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inspector_entries",
    )
    name = models.CharField(_("姓名"), max_length=64)
    certificate_no = models.CharField(_("执法证号"), max_length=32, unique=True)
    certificate_expires_on = models.DateField(_("执法证有效期至"))
    is_active = models.BooleanField(_("在库"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("执法检查人员")
        verbose_name_plural = _("执法检查人员名录库")
        ordering = ["department_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "user"],
                condition=Q(user__isnull=False),
                name="inspections_inspector_one_per_user",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.certificate_no}）"


class InspectorConflict(models.Model):
    """A declared conflict of interest (回避): the inspector may never be drawn for this entity."""

    class Kind(models.TextChoices):
        RELATIVE = "relative", _("近亲属经营或任职")
        FORMER_EMPLOYER = "former_employer", _("曾任职单位")
        OTHER = "other", _("其他利害关系")

    inspector = models.ForeignKey(
        Inspector, verbose_name=_("检查人员"), on_delete=models.CASCADE, related_name="conflicts"
    )
    entity = models.ForeignKey(
        "credit.Entity", verbose_name=_("市场主体"), on_delete=models.CASCADE, related_name="inspector_conflicts"
    )
    kind = models.CharField(_("回避事由"), max_length=16, choices=Kind.choices)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    declared_at = models.DateTimeField(_("申报时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("回避申报")
        verbose_name_plural = _("回避申报")
        constraints = [
            models.UniqueConstraint(fields=["inspector", "entity", "kind"], name="inspections_conflict_unique")
        ]

    def __str__(self) -> str:
        return f"{self.inspector_id}→{self.entity_id}（{self.get_kind_display()}）"


class Plan(models.Model):
    """A 双随机 plan: departments (joint when several), items, the entity pool filter, ratios, period."""

    class State(models.TextChoices):
        DRAFT = "draft", _("草拟")
        PUBLISHED = "published", _("已公布待抽取")
        DRAWN = "drawn", _("已抽取")
        CLOSED = "closed", _("已完成")

    number = models.CharField(_("计划编号"), max_length=32, unique=True)
    title = models.CharField(_("计划名称"), max_length=200)
    region = models.ForeignKey("org.Region", verbose_name=_("区县"), on_delete=models.PROTECT, related_name="+")
    lead_department = models.ForeignKey(
        "org.Department", verbose_name=_("牵头部门"), on_delete=models.PROTECT, related_name="lead_inspection_plans"
    )
    departments = models.ManyToManyField("org.Department", verbose_name=_("参与部门"), related_name="inspection_plans")
    items = models.ManyToManyField(InspectionItem, verbose_name=_("抽查事项"), related_name="plans")
    # Pool filter: {"towns": [region ids], "industry_prefixes": ["H62"], "kinds": ["individual"]};
    # an empty list means no restriction. Only active entities of the plan's county are in a pool.
    pool_filter = models.JSONField(_("抽查对象范围"), default=dict, blank=True)
    ratio_bp = models.JSONField(_("抽查比例（万分比）"), default=dict)
    frequency = models.JSONField(_("抽查频次（次/年）"), default=dict)
    inspectors_per_entity = models.PositiveSmallIntegerField(_("每户检查人员数"), default=2)
    distinct_departments = models.BooleanField(_("检查组须来自不同部门"), default=False)
    period_start = models.DateField(_("检查开始日"))
    period_end = models.DateField(_("检查结束日"))
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.DRAFT, db_index=True)
    commitment = models.CharField(_("随机种子承诺值（SM3）"), max_length=64, blank=True)
    secret_sealed = models.TextField(_("种子密文"), blank=True)  # SM4-encrypted until the draw reveals it
    # A public random value named in advance (e.g. "2026-03-31 福彩3D开奖号码"), mixed into the seed.
    beacon_source = models.CharField(_("公开随机数来源"), max_length=200, blank=True)
    published_at = models.DateTimeField(_("公布时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("制定人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("抽查计划")
        verbose_name_plural = _("抽查计划")
        ordering = ["-period_start", "-id"]
        constraints = [
            models.CheckConstraint(
                name="inspections_plan_period", condition=Q(period_end__gte=models.F("period_start"))
            ),
            models.CheckConstraint(name="inspections_plan_team_size", condition=Q(inspectors_per_entity__gte=2)),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def is_joint(self) -> bool:
        return len({d.pk for d in self.departments.all()}) > 1


class Draw(models.Model):
    """One draw of a plan: the revealed seed, the snapshots it used and its result, all stored verbatim.

    ``pool_snapshot``, ``roster_snapshot`` and ``result`` are canonical JSON text (sorted keys, no
    whitespace) so that recomputation compares bytes. Only one draw per plan is current; a later
    attempt needs a recorded reason and supersedes the earlier one, which is kept.
    """

    plan = models.ForeignKey(Plan, verbose_name=_("抽查计划"), on_delete=models.PROTECT, related_name="draws")
    attempt = models.PositiveSmallIntegerField(_("抽取次序"))
    reason = models.TextField(_("重新抽取理由"), blank=True)
    algorithm = models.CharField(_("算法"), max_length=32)
    secret = models.CharField(_("公开的种子原文"), max_length=64)
    beacon = models.CharField(_("公开随机数"), max_length=128, blank=True)
    seed = models.CharField(_("随机种子"), max_length=64)
    rules = models.JSONField(_("抽取规则"))
    pool_snapshot = models.TextField(_("抽取对象快照"))
    roster_snapshot = models.TextField(_("检查人员快照"))
    result = models.TextField(_("抽取结果"))
    result_hash = models.CharField(_("结果摘要（SHA-256）"), max_length=64)
    pool_counts = models.JSONField(_("各类主体数"), default=dict)
    selected_counts = models.JSONField(_("各类抽中数"), default=dict)
    is_current = models.BooleanField(_("有效"), default=True)
    drawn_at = models.DateTimeField(_("抽取时间"))
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("抽取人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The last recomputation (复核): shown on the plan page instead of recomputing on every view.
    verified_at = models.DateTimeField(_("最近复核时间"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("复核人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    verified_consistent = models.BooleanField(_("复核结果一致"), null=True)
    verification_problems = models.JSONField(_("复核发现的问题"), default=list, blank=True)

    class Meta:
        verbose_name = _("抽取")
        verbose_name_plural = _("抽取记录")
        ordering = ["plan_id", "attempt"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "attempt"], name="inspections_draw_attempt_unique"),
            models.UniqueConstraint(
                fields=["plan"], condition=Q(is_current=True), name="inspections_draw_one_current_per_plan"
            ),
            models.CheckConstraint(name="inspections_draw_redraw_has_reason", condition=Q(attempt=1) | ~Q(reason="")),
        ]

    def __str__(self) -> str:
        return f"{self.plan.number} 第{self.attempt}次抽取"


class Task(models.Model):
    """One drawn entity of a current draw: its inspection team, result, follow-up and publication."""

    class State(models.TextChoices):
        ASSIGNED = "assigned", _("待检查")
        RECORDED = "recorded", _("已录入结果")
        PUBLISHED = "published", _("已公示")
        CANCELLED = "cancelled", _("已作废")

    class Result(models.TextChoices):
        NORMAL = "normal", _("未发现问题")
        PROBLEMS = "problems", _("发现问题已责令改正")
        PROBLEMS_CASE = "problems_case", _("发现问题待后续处理")
        NOT_FOUND = "not_found", _("通过登记的住所（经营场所）无法联系")
        CLOSED = "closed", _("未发现开展本次抽查涉及的经营活动")
        REFUSED = "refused", _("不配合检查情节严重")

    PROBLEM_RESULTS = (Result.PROBLEMS, Result.PROBLEMS_CASE, Result.NOT_FOUND, Result.REFUSED)

    plan = models.ForeignKey(Plan, verbose_name=_("抽查计划"), on_delete=models.PROTECT, related_name="tasks")
    draw = models.ForeignKey(Draw, verbose_name=_("抽取"), on_delete=models.PROTECT, related_name="tasks")
    entity = models.ForeignKey(
        "credit.Entity", verbose_name=_("市场主体"), on_delete=models.PROTECT, related_name="inspection_tasks"
    )
    risk_class = models.CharField(_("抽取时风险分类"), max_length=1, choices=RiskClass.choices)
    department = models.ForeignKey(
        "org.Department", verbose_name=_("牵头部门"), on_delete=models.PROTECT, related_name="inspection_tasks"
    )
    region = models.ForeignKey("org.Region", verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.ASSIGNED, db_index=True)
    result = models.CharField(_("检查结果"), max_length=16, choices=Result.choices, blank=True)
    findings = models.TextField(_("检查情况"), blank=True)
    inspected_on = models.DateField(_("检查日期"), null=True, blank=True)
    recorded_at = models.DateTimeField(_("录入时间"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("录入人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    publish_clock = models.ForeignKey(
        "workdays.Clock", verbose_name=_("公示时限"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(_("公示时间"), null=True, blank=True)
    published_on_time = models.BooleanField(_("按时公示"), null=True)
    credit_record_id = models.BigIntegerField(_("信用记录"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("检查任务")
        verbose_name_plural = _("检查任务")
        ordering = ["plan_id", "id"]
        constraints = [models.UniqueConstraint(fields=["draw", "entity"], name="inspections_task_one_per_entity")]
        indexes = [models.Index(fields=["department", "state"], name="inspections_task_dept_state")]

    def __str__(self) -> str:
        return f"{self.plan.number} · {self.entity.name}"


class TaskInspector(models.Model):
    """One drawn inspector of a task (the order of the draw is kept)."""

    task = models.ForeignKey(Task, verbose_name=_("检查任务"), on_delete=models.CASCADE, related_name="assignments")
    inspector = models.ForeignKey(
        Inspector, verbose_name=_("检查人员"), on_delete=models.PROTECT, related_name="assignments"
    )
    department = models.ForeignKey(
        "org.Department", verbose_name=_("所属部门"), on_delete=models.PROTECT, related_name="+"
    )
    position = models.PositiveSmallIntegerField(_("次序"))

    class Meta:
        verbose_name = _("检查组成员")
        verbose_name_plural = _("检查组成员")
        ordering = ["task_id", "position"]
        constraints = [models.UniqueConstraint(fields=["task", "inspector"], name="inspections_assignment_unique")]

    def __str__(self) -> str:
        return f"{self.task_id}#{self.position}: {self.inspector_id}"


class FollowUp(models.Model):
    """A follow-up action on a result with problems (后续处置)."""

    class Kind(models.TextChoices):
        RECTIFY = "rectify", _("责令限期整改")
        RECHECK = "recheck", _("整改复查")
        CASE = "case", _("立案调查")
        TRANSFER = "transfer", _("移送有关部门")
        ABNORMAL = "abnormal", _("列入经营异常名录")

    task = models.ForeignKey(Task, verbose_name=_("检查任务"), on_delete=models.CASCADE, related_name="follow_ups")
    kind = models.CharField(_("处置措施"), max_length=16, choices=Kind.choices)
    note = models.CharField(_("说明"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    completed_on = models.DateField(_("完成日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("后续处置")
        verbose_name_plural = _("后续处置")
        ordering = ["task_id", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}（任务 {self.task_id}）"

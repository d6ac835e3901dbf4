"""督查督办与营商环境监测: the plan, its tasks and milestones, progress reports, 督办单, ledgers, indicators.

The plan is read from its text (``planparse``, ``services.plan``): its parts 二 (key tasks), 三
(highlights), 四 (18 areas, each with a leader in charge and lead departments, and their tasks) and
五 (safeguards) become ``PlanTask`` rows; numbers in the text become ``PlanTarget`` rows and dated
deadlines ``Milestone`` rows. The supervision office (县政府督查室, plan 五（二）) sets further
milestones, issues 督办单 and closes tasks; lead departments report progress.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Plan(models.Model):
    region = models.ForeignKey("org.Region", verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("方案名称"), max_length=200)
    year = models.PositiveSmallIntegerField(_("年度"))
    goal = models.TextField(_("思路目标"), blank=True)
    text_hash = models.CharField(_("文本摘要"), max_length=64, help_text=_("再次导入同一文本不作任何改动"))
    source_name = models.CharField(_("来源文件"), max_length=255, blank=True)
    imported_at = models.DateTimeField(_("导入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("实施方案")
        verbose_name_plural = _("实施方案")
        constraints = [models.UniqueConstraint(fields=["region", "year", "title"], name="supervision_plan_unique")]

    def __str__(self) -> str:
        return self.title


class Area(models.Model):
    """四（一）…（十八）: a field of the national evaluation, its leader in charge and lead departments."""

    plan = models.ForeignKey(Plan, verbose_name=_("方案"), on_delete=models.CASCADE, related_name="areas")
    no = models.PositiveSmallIntegerField(_("序号"))
    title = models.CharField(_("领域"), max_length=100)
    leader_name = models.CharField(_("包抓领导"), max_length=16)
    leader_title = models.CharField(_("领导职务"), max_length=64, blank=True)
    leader_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("包抓领导账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("升级督办时通知；未关联时通知县级领导"),
    )
    lead_departments = models.ManyToManyField("org.Department", verbose_name=_("牵头部门"), related_name="+")
    indicator_code = models.CharField(_("对应评价指标"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("领域")
        verbose_name_plural = _("领域")
        ordering = ["plan", "no"]
        constraints = [models.UniqueConstraint(fields=["plan", "no"], name="supervision_area_unique")]

    def __str__(self) -> str:
        return f"（{self.no}）{self.title}"


class TaskState(models.TextChoices):
    OPEN = "open", _("推进中")
    DONE = "done", _("已报完成")
    CLOSED = "closed", _("已办结销号")


class PlanTask(models.Model):
    class Part(models.IntegerChoices):
        KEY_TASK = 2, _("重点工作")
        HIGHLIGHT = 3, _("特色亮点工作")
        AREA_TASK = 4, _("工作任务")
        SAFEGUARD = 5, _("保障措施")

    plan = models.ForeignKey(Plan, verbose_name=_("方案"), on_delete=models.CASCADE, related_name="tasks")
    region = models.ForeignKey("org.Region", verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+")
    part = models.PositiveSmallIntegerField(_("部分"), choices=Part.choices)
    area = models.ForeignKey(
        Area, verbose_name=_("领域"), null=True, blank=True, on_delete=models.CASCADE, related_name="tasks"
    )
    no = models.PositiveSmallIntegerField(_("序号"))
    title = models.CharField(_("任务"), max_length=200)
    text = models.TextField(_("原文"))
    line = models.PositiveIntegerField(_("原文行号"), default=0)
    state = models.CharField(_("状态"), max_length=16, choices=TaskState.choices, default=TaskState.OPEN)
    percent_done = models.PositiveSmallIntegerField(_("完成进度（%）"), default=0)
    closed_at = models.DateTimeField(_("销号时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("销号人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closing_note = models.CharField(_("销号意见"), max_length=500, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("方案任务")
        verbose_name_plural = _("方案任务")
        ordering = ["plan", "part", "area__no", "no"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "part", "area", "no"], name="supervision_task_unique"),
            models.UniqueConstraint(
                fields=["plan", "part", "no"], condition=Q(area__isnull=True), name="supervision_task_unique_no_area"
            ),
            models.CheckConstraint(name="supervision_task_percent", condition=Q(percent_done__lte=100)),
            models.CheckConstraint(
                name="supervision_task_area_part",
                condition=Q(part=4, area__isnull=False) | ~Q(part=4) & Q(area__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def reference(self) -> str:
        """The plan's own citation: 二（一）, 三、2, 四（十五）3, 五（二）."""
        from .planparse import _cn

        if self.part == self.Part.AREA_TASK:
            return f"四（{_cn(self.area.no)}）{self.no}"
        if self.part == self.Part.HIGHLIGHT:
            return f"三、{self.no}"
        return f"{_cn(self.part)}（{_cn(self.no)}）"


class TaskDepartment(models.Model):
    class Role(models.TextChoices):
        LEAD = "lead", _("牵头")
        CO = "co", _("配合")

    task = models.ForeignKey(PlanTask, verbose_name=_("任务"), on_delete=models.CASCADE, related_name="assignments")
    department = models.ForeignKey("org.Department", verbose_name=_("部门"), on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("职责"), max_length=8, choices=Role.choices)

    class Meta:
        verbose_name = _("任务责任部门")
        verbose_name_plural = _("任务责任部门")
        constraints = [
            models.UniqueConstraint(fields=["task", "department"], name="supervision_task_department_unique")
        ]

    def __str__(self) -> str:
        return f"{self.task_id}:{self.department_id}:{self.role}"


class PlanTarget(models.Model):
    """A number the plan sets for a task (60 %, 90 个工作日, 106 项 …), with the clause it comes from."""

    class Comparator(models.TextChoices):
        LE = "le", _("不超过")
        GE = "ge", _("不少于")
        EQ = "eq", _("等于")

    task = models.ForeignKey(PlanTask, verbose_name=_("任务"), on_delete=models.CASCADE, related_name="targets")
    seq = models.PositiveSmallIntegerField(_("序号"))
    text = models.CharField(_("原文"), max_length=300)
    value = models.DecimalField(_("目标值"), max_digits=12, decimal_places=2)
    unit = models.CharField(_("单位"), max_length=16)
    comparator = models.CharField(_("比较"), max_length=2, choices=Comparator.choices)

    class Meta:
        verbose_name = _("量化目标")
        verbose_name_plural = _("量化目标")
        ordering = ["task", "seq"]
        constraints = [models.UniqueConstraint(fields=["task", "seq"], name="supervision_target_unique")]

    def __str__(self) -> str:
        return f"{self.get_comparator_display()}{self.value.normalize():f}{self.unit}"


class Milestone(models.Model):
    """A due date of a task: from the plan's text (7月底前) or set by the supervision office.

    Its deadline is a working-day clock (``yiwang.workdays``) from the day it was set to the due
    day, so the one sweep reminds before it and marks it overdue after (督办单).
    """

    class Source(models.TextChoices):
        PLAN = "plan", _("方案原文")
        OFFICE = "office", _("督查室设定")

    class State(models.TextChoices):
        OPEN = "open", _("未完成")
        DONE = "done", _("已完成")

    task = models.ForeignKey(PlanTask, verbose_name=_("任务"), on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("节点"), max_length=300)
    due_on = models.DateField(_("完成时限"))
    source = models.CharField(_("来源"), max_length=8, choices=Source.choices)
    state = models.CharField(_("状态"), max_length=8, choices=State.choices, default=State.OPEN)
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    clock = models.OneToOneField(
        "workdays.Clock", verbose_name=_("期限"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("设定人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    escalated = models.BooleanField(_("已升级至包抓领导"), default=False)
    created_at = models.DateTimeField(_("设定时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("时间节点")
        verbose_name_plural = _("时间节点")
        ordering = ["due_on", "pk"]
        constraints = [models.UniqueConstraint(fields=["task", "title", "due_on"], name="supervision_milestone_unique")]
        indexes = [models.Index(fields=["state", "due_on"], name="supervision_ms_state_due")]

    def __str__(self) -> str:
        return f"{self.title}（{self.due_on:%Y-%m-%d}前）"


class ProgressReport(models.Model):
    task = models.ForeignKey(PlanTask, verbose_name=_("任务"), on_delete=models.CASCADE, related_name="reports")
    department = models.ForeignKey(
        "org.Department", verbose_name=_("报送部门"), on_delete=models.PROTECT, related_name="+"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("报送人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("进展情况"))
    percent_done = models.PositiveSmallIntegerField(_("完成进度（%）"))
    attachment = models.FileField(_("附件"), upload_to="supervision/reports/%Y/%m/", blank=True)
    reported_at = models.DateTimeField(_("报送时间"))

    class Meta:
        verbose_name = _("进展报送")
        verbose_name_plural = _("进展报送")
        ordering = ["-reported_at", "-pk"]
        constraints = [models.CheckConstraint(name="supervision_report_percent", condition=Q(percent_done__lte=100))]
        indexes = [models.Index(fields=["task", "reported_at"], name="supervision_report_task")]

    def __str__(self) -> str:
        return f"{self.task_id} {self.percent_done}%"


class Notice(models.Model):
    """督办单: a reminder before a milestone is due, an overdue notice after, an escalation to the leader.

    The same 督办单 also goes to a department for an overdue case (办件) or appeal (诉求): then it asks
    for an answer within ``answer_days`` working days (a clock the one sweep follows); the answer, its
    time and whether it was on time are kept, and the sweep marks an unanswered one overdue.
    Exactly one of ``task``, ``case`` and ``appeal`` is its subject.
    """

    class Kind(models.TextChoices):
        REMINDER = "reminder", _("提醒函")
        OVERDUE = "overdue", _("督办单")
        ESCALATION = "escalation", _("升级督办")

    class AnswerState(models.TextChoices):
        NONE = "", _("无需答复")
        AWAITING = "awaiting", _("待答复")
        ANSWERED = "answered", _("已答复")

    number = models.CharField(_("编号"), max_length=32, unique=True)
    kind = models.CharField(_("类别"), max_length=12, choices=Kind.choices)
    task = models.ForeignKey(
        PlanTask, verbose_name=_("任务"), null=True, blank=True, on_delete=models.CASCADE, related_name="notices"
    )
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("办件"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="supervision_notices",
    )
    appeal = models.ForeignKey(
        "hotline.Appeal",
        verbose_name=_("诉求"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="supervision_notices",
    )
    region = models.ForeignKey(
        "org.Region", verbose_name=_("所属区划"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answer_days = models.PositiveSmallIntegerField(_("答复时限（工作日）"), null=True, blank=True)
    clock = models.OneToOneField(
        "workdays.Clock", verbose_name=_("答复期限"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answer_state = models.CharField(
        _("答复状态"), max_length=12, choices=AnswerState.choices, default=AnswerState.NONE, blank=True
    )
    overdue = models.BooleanField(_("逾期未答复"), default=False)
    answer = models.TextField(_("答复内容"), blank=True)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("答复人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    answered_on_time = models.BooleanField(_("按时答复"), null=True, blank=True)
    milestone = models.ForeignKey(
        Milestone, verbose_name=_("时间节点"), null=True, blank=True, on_delete=models.CASCADE, related_name="notices"
    )
    department = models.ForeignKey(
        "org.Department", verbose_name=_("督办部门"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("内容"))
    issued_on = models.DateField(_("签发日期"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("签发人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("督办单")
        verbose_name_plural = _("督办单")
        ordering = ["-issued_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["milestone", "kind", "department"],
                condition=Q(milestone__isnull=False),
                name="supervision_notice_once_per_milestone",
            ),
            models.CheckConstraint(
                name="supervision_notice_one_subject",
                condition=Q(task__isnull=False, case__isnull=True, appeal__isnull=True)
                | Q(task__isnull=True, case__isnull=False, appeal__isnull=True)
                | Q(task__isnull=True, case__isnull=True, appeal__isnull=False),
            ),
            models.CheckConstraint(
                name="supervision_notice_answered_has_answer",
                condition=~Q(answer_state="answered") | Q(answered_at__isnull=False) & ~Q(answer=""),
            ),
            # one open 督办 per case and per appeal: a retried issue finds the one already awaiting
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(case__isnull=False, answer_state="awaiting"),
                name="supervision_notice_one_awaiting_per_case",
            ),
            models.UniqueConstraint(
                fields=["appeal"],
                condition=Q(appeal__isnull=False, answer_state="awaiting"),
                name="supervision_notice_one_awaiting_per_appeal",
            ),
        ]
        indexes = [models.Index(fields=["department", "answer_state"], name="supervision_notice_dept_answer")]

    def __str__(self) -> str:
        return self.number


# --- ledgers -------------------------------------------------------------------------------------


class LedgerItem(models.Model):
    """台账: 清欠 (arrears owed by government bodies to enterprises, 四（十）2: 清理一项、销号一项) and
    专项治理 items (四（十）3), each with an owner department and a deadline like a task."""

    class Kind(models.TextChoices):
        ARREARS = "arrears", _("清欠台账")
        GOVERNANCE = "governance", _("专项治理")

    class State(models.TextChoices):
        OPEN = "open", _("未销号")
        CLEARED = "cleared", _("已销号")

    kind = models.CharField(_("台账"), max_length=12, choices=Kind.choices)
    number = models.CharField(_("编号"), max_length=32, unique=True)
    region = models.ForeignKey("org.Region", verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(
        "org.Department", verbose_name=_("责任单位"), on_delete=models.PROTECT, related_name="+"
    )
    task = models.ForeignKey(
        PlanTask,
        verbose_name=_("方案任务"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ledger_items",
    )
    title = models.CharField(_("事项"), max_length=200)
    category = models.CharField(_("类别"), max_length=64, blank=True)
    creditor = models.CharField(_("债权企业"), max_length=128, blank=True)
    creditor_uscc = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    amount_owed = models.DecimalField(_("拖欠金额（元）"), max_digits=14, decimal_places=2, null=True, blank=True)
    amount_paid = models.DecimalField(_("已清偿（元）"), max_digits=14, decimal_places=2, default=0)
    due_on = models.DateField(_("完成时限"))
    state = models.CharField(_("状态"), max_length=8, choices=State.choices, default=State.OPEN)
    cleared_on = models.DateField(_("销号日期"), null=True, blank=True)
    clock = models.OneToOneField(
        "workdays.Clock", verbose_name=_("期限"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    registered_on = models.DateField(_("登记日期"))
    note = models.TextField(_("备注"), blank=True)

    class Meta:
        verbose_name = _("台账事项")
        verbose_name_plural = _("台账事项")
        ordering = ["kind", "state", "due_on", "pk"]
        constraints = [
            models.CheckConstraint(name="supervision_ledger_paid_nonneg", condition=Q(amount_paid__gte=0)),
            models.CheckConstraint(
                name="supervision_ledger_paid_le_owed",
                condition=Q(amount_owed__isnull=True) | Q(amount_paid__lte=models.F("amount_owed")),
            ),
        ]
        indexes = [models.Index(fields=["kind", "state", "department"], name="supervision_ledger_open")]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def outstanding(self):
        return (self.amount_owed or 0) - self.amount_paid


class LedgerEntry(models.Model):
    """One step on a ledger item: a payment, a progress note, the clearance (销号)."""

    item = models.ForeignKey(LedgerItem, verbose_name=_("台账事项"), on_delete=models.CASCADE, related_name="entries")
    on = models.DateField(_("日期"))
    amount = models.DecimalField(_("清偿金额（元）"), max_digits=14, decimal_places=2, default=0)
    note = models.CharField(_("说明"), max_length=500)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("台账记录")
        verbose_name_plural = _("台账记录")
        ordering = ["on", "pk"]

    def __str__(self) -> str:
        return f"{self.item_id} {self.on:%Y-%m-%d} {self.note[:20]}"


# --- indicators ----------------------------------------------------------------------------------


class Indicator(models.Model):
    """One of the 18 national business-environment evaluation indicators (国家营商环境评价指标体系)."""

    code = models.SlugField(_("编码"), max_length=32, unique=True)
    no = models.PositiveSmallIntegerField(_("序号"), unique=True)
    name = models.CharField(_("指标"), max_length=64)
    department = models.ForeignKey(
        "org.Department", verbose_name=_("责任部门"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("评价指标")
        verbose_name_plural = _("评价指标")
        ordering = ["no"]

    def __str__(self) -> str:
        return self.name


class SubMeasure(models.Model):
    """A sub-measure scored by distance to frontier: (worst − value) / (worst − frontier) × 100, clipped."""

    indicator = models.ForeignKey(Indicator, verbose_name=_("指标"), on_delete=models.CASCADE, related_name="measures")
    code = models.SlugField(_("编码"), max_length=48, unique=True)
    name = models.CharField(_("二级指标"), max_length=100)
    unit = models.CharField(_("单位"), max_length=16)
    frontier = models.DecimalField(_("前沿值"), max_digits=14, decimal_places=4)
    worst = models.DecimalField(_("最差值"), max_digits=14, decimal_places=4)
    target = models.DecimalField(_("方案目标值"), max_digits=14, decimal_places=4, null=True, blank=True)
    target_source = models.CharField(_("目标出处"), max_length=64, blank=True)
    metric = models.CharField(_("计算来源"), max_length=64, blank=True, help_text=_("留空表示由责任部门填报"))
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("二级指标")
        verbose_name_plural = _("二级指标")
        ordering = ["indicator__no", "sort_order", "code"]
        constraints = [
            models.CheckConstraint(
                name="supervision_measure_frontier_ne_worst", condition=~Q(frontier=models.F("worst"))
            )
        ]

    def __str__(self) -> str:
        return self.name


class IndicatorValue(models.Model):
    """A value of a sub-measure for a month: entered by the responsible department with evidence
    (measured values are computed from roll-ups on the fly and never stored here)."""

    measure = models.ForeignKey(SubMeasure, verbose_name=_("二级指标"), on_delete=models.CASCADE, related_name="values")
    month = models.DateField(_("月份"), help_text=_("当月1日"))
    value = models.DecimalField(_("数值"), max_digits=14, decimal_places=4)
    evidence = models.TextField(_("佐证说明"))
    attachment = models.FileField(_("佐证材料"), upload_to="supervision/evidence/%Y/%m/", blank=True)
    department = models.ForeignKey(
        "org.Department", verbose_name=_("填报部门"), on_delete=models.PROTECT, related_name="+"
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("填报人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(_("填报时间"), auto_now=True)

    class Meta:
        verbose_name = _("指标填报值")
        verbose_name_plural = _("指标填报值")
        ordering = ["measure", "-month"]
        constraints = [models.UniqueConstraint(fields=["measure", "month"], name="supervision_value_unique")]

    def __str__(self) -> str:
        return f"{self.measure_id} {self.month:%Y-%m} {self.value}"

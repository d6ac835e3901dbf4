"""工程建设项目与公用报装: construction projects, their stages and stage items (each item a case),
stewards and their service log, 企业服务日 issues, area-wide assessments, utility connections.

Every clock is a ``workdays.Clock`` (working days); this app stores only a pointer to it.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yiwang.core.fields import EncryptedCharField, PiiHashField


class Category(models.TextChoices):
    """Plan 二(三)(1): 政府投资 / 社会投资 / 小型低风险, whole-approval limits 90 / 50 / 15 working days."""

    GOVERNMENT = "government", _("政府投资")
    SOCIAL = "social", _("社会投资")
    LOW_RISK = "low_risk", _("小型低风险")


class StageCode(models.TextChoices):
    PLANNING = "planning", _("立项用地规划许可")
    ENGINEERING = "engineering", _("工程建设许可")
    CONSTRUCTION = "construction", _("施工许可")
    ACCEPTANCE = "acceptance", _("竣工验收")


STAGE_ORDER = [StageCode.PLANNING, StageCode.ENGINEERING, StageCode.CONSTRUCTION, StageCode.ACCEPTANCE]


class ConstructionProject(models.Model):
    """工程建设项目. ``lead_department`` is the department that runs the project's approval (县行政审批服务局,
    工程建设项目审批专班) — the anchor of department scoping; every item department also sees it."""

    class State(models.TextChoices):
        REGISTERED = "registered", _("已登记")
        IN_APPROVAL = "in_approval", _("审批中")
        COMPLETED = "completed", _("审批完成")

    code = models.CharField(_("项目代码"), max_length=32, unique=True)
    name = models.CharField(_("项目名称"), max_length=200)
    category = models.CharField(_("项目类别"), max_length=16, choices=Category.choices)
    builder = models.ForeignKey(
        "credit.Entity",
        verbose_name=_("建设单位（市场主体）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    builder_name = models.CharField(_("建设单位"), max_length=200)
    builder_uscc = models.CharField(_("建设单位统一社会信用代码"), max_length=18)
    builder_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("建设单位账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    region = models.ForeignKey("org.Region", verbose_name=_("所属区县"), on_delete=models.PROTECT, related_name="+")
    town = models.ForeignKey(
        "org.Region", verbose_name=_("所在镇街"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    area = models.CharField(_("所在园区"), max_length=64, blank=True)
    site = models.CharField(_("建设地点"), max_length=200)
    lead_department = models.ForeignKey(
        "org.Department", verbose_name=_("牵头部门"), on_delete=models.PROTECT, related_name="+"
    )
    steward = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("项目管家"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="stewarded_projects",
    )
    land_start = models.BooleanField(_("拿地即开工"), default=False)
    merged_permit = models.BooleanField(_("规划许可与施工许可合并办理"), default=False)
    investment = models.DecimalField(_("总投资（万元）"), max_digits=12, decimal_places=2, null=True, blank=True)
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.REGISTERED)
    limit_days = models.PositiveSmallIntegerField(_("全流程审批时限（工作日）"))
    clock = models.ForeignKey(
        "workdays.Clock",
        verbose_name=_("全流程期限"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    started_at = models.DateTimeField(_("开始审批"), null=True, blank=True)
    completed_at = models.DateTimeField(_("审批完成"), null=True, blank=True)
    approval_workdays = models.PositiveSmallIntegerField(_("审批用时（工作日）"), null=True, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("工程建设项目")
        verbose_name_plural = _("工程建设项目")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="projects_project_category_valid", condition=Q(category__in=["government", "social", "low_risk"])
            ),
            models.CheckConstraint(
                name="projects_project_state_valid",
                condition=Q(state__in=["registered", "in_approval", "completed"]),
            ),
        ]
        indexes = [models.Index(fields=["state", "category"], name="projects_project_state_cat")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ProjectStage(models.Model):
    """One of the four stages; its items run in parallel, its clock counts the stage's working days."""

    class State(models.TextChoices):
        WAITING = "waiting", _("未开始")
        READY = "ready", _("待申报")
        RUNNING = "running", _("办理中")
        DONE = "done", _("已完成")
        MERGED = "merged", _("已合并办理")

    project = models.ForeignKey(
        ConstructionProject, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="stages"
    )
    code = models.CharField(_("阶段"), max_length=16, choices=StageCode.choices)
    position = models.PositiveSmallIntegerField(_("顺序"))
    joint = models.CharField(_("联合办理方式"), max_length=16, blank=True)  # 联审 / 联合验收
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.WAITING)
    days = models.PositiveSmallIntegerField(_("阶段时限（工作日）"))
    clock = models.ForeignKey(
        "workdays.Clock", verbose_name=_("阶段期限"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField(_("申报时间"), null=True, blank=True)
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    used_workdays = models.PositiveSmallIntegerField(_("阶段用时（工作日）"), null=True, blank=True)

    class Meta:
        verbose_name = _("审批阶段")
        verbose_name_plural = _("审批阶段")
        ordering = ["project", "position"]
        constraints = [
            models.UniqueConstraint(fields=["project", "code"], name="projects_stage_one_per_code"),
            models.CheckConstraint(
                name="projects_stage_state_valid",
                condition=Q(state__in=["waiting", "ready", "running", "done", "merged"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project.code} {self.get_code_display()}"


class AreaAssessment(models.Model):
    """区域评估 (plan 四(二)3): one assessment of an area (a park) whose published result satisfies the
    matching item of every project in that area."""

    class Kind(models.TextChoices):
        GEOLOGICAL = "geological", _("地质灾害危险性评估")
        MINERALS = "minerals", _("压覆重要矿产资源评估")
        SOIL_WATER = "soil_water", _("水土保持方案")
        ENERGY = "energy", _("节能评价")
        ENVIRONMENT = "environment", _("环境影响评价")

    area = models.CharField(_("评估区域"), max_length=64)
    region = models.ForeignKey("org.Region", verbose_name=_("所属区县"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("评估事项"), max_length=16, choices=Kind.choices)
    item_code = models.CharField(_("替代的审批事项编码"), max_length=64)
    department = models.ForeignKey(
        "org.Department", verbose_name=_("组织部门"), on_delete=models.PROTECT, related_name="+"
    )
    summary = models.TextField(_("评估结论"))
    published_at = models.DateTimeField(_("公布时间"), null=True, blank=True)
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("区域评估")
        verbose_name_plural = _("区域评估")
        ordering = ["area", "kind"]
        constraints = [models.UniqueConstraint(fields=["area", "kind"], name="projects_assessment_one_per_area_kind")]

    def __str__(self) -> str:
        return f"{self.area} {self.get_kind_display()}"


class StageItem(models.Model):
    """One approval item of a stage: a case of the catalog item, or satisfied by an area assessment."""

    class State(models.TextChoices):
        WAITING = "waiting", _("未申报")
        OPEN = "open", _("办理中")
        APPROVED = "approved", _("已办结")
        DENIED = "denied", _("不予许可")
        SATISFIED = "satisfied", _("区域评估已覆盖")

    stage = models.ForeignKey(ProjectStage, verbose_name=_("阶段"), on_delete=models.CASCADE, related_name="items")
    item_code = models.CharField(_("事项编码"), max_length=64)
    name = models.CharField(_("事项名称"), max_length=200)
    department = models.ForeignKey(
        "org.Department", verbose_name=_("办理部门"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    case = models.OneToOneField(
        "cases.Case",
        verbose_name=_("办件"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="project_item",
    )
    assessment = models.ForeignKey(
        AreaAssessment, verbose_name=_("区域评估"), null=True, blank=True, on_delete=models.PROTECT, related_name="uses"
    )
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.WAITING)
    done_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("阶段事项")
        verbose_name_plural = _("阶段事项")
        ordering = ["stage", "id"]
        constraints = [
            models.UniqueConstraint(fields=["stage", "item_code"], name="projects_item_once_per_stage"),
            models.CheckConstraint(
                name="projects_item_state_valid",
                condition=Q(state__in=["waiting", "open", "approved", "denied", "satisfied"]),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class StewardLog(models.Model):
    """项目管家 service log (plan 三、3): visits, problems raised, solutions given."""

    class Kind(models.TextChoices):
        VISIT = "visit", _("走访")
        PROBLEM = "problem", _("问题")
        SOLUTION = "solution", _("解决措施")

    project = models.ForeignKey(
        ConstructionProject, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="logs"
    )
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    text = models.TextField(_("内容"))
    on = models.DateField(_("日期"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("管家服务记录")
        verbose_name_plural = _("管家服务记录")
        ordering = ["-on", "-id"]

    def __str__(self) -> str:
        return f"{self.on} {self.get_kind_display()}"


class ServiceDay(models.Model):
    """企业服务日 (plan 三、3): a day on which enterprises raise problems; frequency is a county setting."""

    region = models.ForeignKey("org.Region", verbose_name=_("所属区县"), on_delete=models.PROTECT, related_name="+")
    held_on = models.DateField(_("日期"))
    place = models.CharField(_("地点"), max_length=200)
    host = models.ForeignKey("org.Department", verbose_name=_("承办部门"), on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("企业服务日")
        verbose_name_plural = _("企业服务日")
        ordering = ["-held_on"]
        constraints = [models.UniqueConstraint(fields=["region", "held_on"], name="projects_serviceday_once_per_day")]

    def __str__(self) -> str:
        return f"企业服务日 {self.held_on.isoformat()}"


class ServiceIssue(models.Model):
    """A problem raised on a 企业服务日 or to a steward, tracked to a solution within working days."""

    class State(models.TextChoices):
        OPEN = "open", _("办理中")
        RESOLVED = "resolved", _("已解决")

    service_day = models.ForeignKey(
        ServiceDay, verbose_name=_("企业服务日"), null=True, blank=True, on_delete=models.PROTECT, related_name="issues"
    )
    project = models.ForeignKey(
        ConstructionProject,
        verbose_name=_("项目"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="issues",
    )
    region = models.ForeignKey("org.Region", verbose_name=_("所属区县"), on_delete=models.PROTECT, related_name="+")
    enterprise_name = models.CharField(_("反映企业"), max_length=200)
    text = models.TextField(_("问题"))
    department = models.ForeignKey(
        "org.Department", verbose_name=_("责任部门"), on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.OPEN)
    days = models.PositiveSmallIntegerField(_("办理时限（工作日）"))
    clock = models.ForeignKey(
        "workdays.Clock", verbose_name=_("办理期限"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    raised_at = models.DateTimeField(_("提出时间"))
    resolution = models.TextField(_("解决情况"), blank=True)
    resolved_at = models.DateTimeField(_("解决时间"), null=True, blank=True)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("企业服务日问题")
        verbose_name_plural = _("企业服务日问题")
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.CheckConstraint(name="projects_issue_state_valid", condition=Q(state__in=["open", "resolved"]))
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_name}：{self.text[:30]}"


class UtilityKind(models.TextChoices):
    ELECTRICITY = "electricity", _("用电")
    WATER = "water", _("用水")
    GAS = "gas", _("用气")


class UtilityConnection(models.Model):
    """用电/用水/用气报装 (plan 四(三)1, 四(四)). The utility company's staff handle it (a Department of
    kind ENTERPRISE); the applicant follows it online by number and query code."""

    class State(models.TextChoices):
        ACCEPTED = "accepted", _("已受理")
        CONNECTED = "connected", _("已接入")
        CANCELLED = "cancelled", _("已撤销")

    number = models.CharField(_("报装编号"), max_length=24, unique=True)
    query_code = models.CharField(_("查询码"), max_length=8)
    kind = models.CharField(_("报装类型"), max_length=16, choices=UtilityKind.choices)
    category = models.CharField(_("报装类别"), max_length=32)
    utility = models.ForeignKey(
        "org.Department", verbose_name=_("供应企业"), on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey("org.Region", verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey(
        ConstructionProject,
        verbose_name=_("所属项目"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="connections",
    )
    applicant_name = models.CharField(_("申请人"), max_length=200)
    applicant_phone = EncryptedCharField(_("联系电话"), max_length=20, blank=True, null=True)
    applicant_phone_hash = PiiHashField()
    address = models.CharField(_("用户地址"), max_length=200)
    capacity = models.CharField(_("报装容量/用量"), max_length=64, blank=True)
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.ACCEPTED)
    days = models.PositiveSmallIntegerField(_("办理时限（工作日）"))
    clock = models.ForeignKey(
        "workdays.Clock", verbose_name=_("办理期限"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted_at = models.DateTimeField(_("受理时间"))
    connected_at = models.DateTimeField(_("接入时间"), null=True, blank=True)
    used_workdays = models.PositiveSmallIntegerField(_("办理用时（工作日）"), null=True, blank=True)
    on_time = models.BooleanField(_("按时办结"), null=True, blank=True)
    applicant_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("公用事业报装")
        verbose_name_plural = _("公用事业报装")
        ordering = ["-accepted_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="projects_connection_kind_valid", condition=Q(kind__in=["electricity", "water", "gas"])
            ),
            models.CheckConstraint(
                name="projects_connection_state_valid", condition=Q(state__in=["accepted", "connected", "cancelled"])
            ),
        ]
        indexes = [models.Index(fields=["utility", "state"], name="projects_conn_utility_state")]

    def __str__(self) -> str:
        return f"{self.number} {self.get_kind_display()}"


class UtilityApproval(models.Model):
    """An approval a connection needs (占掘路, 占用绿地, 规划路由), run in parallel as a case with its own
    clock; its result is sent to the utility automatically (plan 四(三)2, 3)."""

    connection = models.ForeignKey(
        UtilityConnection, verbose_name=_("报装"), on_delete=models.CASCADE, related_name="approvals"
    )
    kind = models.CharField(_("审批事项"), max_length=32)
    item_code = models.CharField(_("事项编码"), max_length=64)
    case = models.OneToOneField(
        "cases.Case",
        verbose_name=_("办件"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="utility_approval",
    )
    result = models.CharField(_("审批结果"), max_length=16, blank=True)
    result_sent_at = models.DateTimeField(_("结果推送供应企业时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("涉电（水、气）审批")
        verbose_name_plural = _("涉电（水、气）审批")
        ordering = ["connection", "id"]
        constraints = [models.UniqueConstraint(fields=["connection", "kind"], name="projects_approval_once_per_kind")]

    def __str__(self) -> str:
        return self.get_kind_label()

    def get_kind_label(self) -> str:
        from yiwang.projects.conf import setting

        spec = setting("UTILITY_APPROVAL_ITEMS").get(self.kind)
        return spec["label"] if spec else self.kind


class JointSurvey(models.Model):
    """多测合并、联合测绘、成果共享 (plan 四(二)5): one commissioned survey delivers the measurements a
    project's approvals and acceptance need; its result is shared with every department concerned."""

    class Kind(models.TextChoices):
        SETTING_OUT = "setting_out", _("规划放线测量")
        PLANNING_CHECK = "planning_check", _("规划核实测量")
        HOUSING = "housing", _("房产测绘")
        COMPLETION = "completion", _("竣工地形测量")
        CIVIL_DEFENCE = "civil_defence", _("人防面积测绘")

    project = models.ForeignKey(
        ConstructionProject, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="surveys"
    )
    surveyor = models.CharField(_("测绘单位"), max_length=200)
    kinds = models.JSONField(_("合并的测绘事项"), default=list)
    summary = models.TextField(_("成果摘要"))
    delivered_at = models.DateTimeField(_("成果提交时间"))
    shared_with = models.JSONField(_("共享部门"), default=list)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("联合测绘")
        verbose_name_plural = _("联合测绘")
        ordering = ["-delivered_at", "-id"]

    def __str__(self) -> str:
        return f"{self.project.code} 联合测绘"

    def kind_labels(self) -> list[str]:
        return [str(self.Kind(k).label) for k in self.kinds if k in self.Kind.values]

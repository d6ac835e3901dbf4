"""Who is who: the region tree, departments and their aliases, halls and windows, users and roles."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.db.models.functions import Concat, Length
from django.db.models.lookups import EndsWith, Exact
from django.utils.translation import gettext_lazy as _

from yiwang.core.fields import EncryptedCharField, PiiHashField
from yiwang.core.identifiers import validate_uscc
from yiwang.org.names import normalize_department_name


class Region(models.Model):
    """An administrative division; every big table later carries one.

    ``path`` is the materialised chain of codes ("610000/610300/610326/") so that a subtree is one
    indexed ``startswith`` query at any depth.
    """

    class Level(models.TextChoices):
        PROVINCE = "province", _("省")
        CITY = "city", _("市")
        COUNTY = "county", _("县/区")
        TOWN = "town", _("镇/街道")
        VILLAGE = "village", _("村/社区")

    # GB/T 2260 codes for province, city and county; the statistics bureau's 9- and 12-digit
    # codes below the county.
    CODE_LENGTHS = {
        Level.PROVINCE: 6,
        Level.CITY: 6,
        Level.COUNTY: 6,
        Level.TOWN: 9,
        Level.VILLAGE: 12,
    }

    code = models.CharField(_("区划代码"), max_length=12, unique=True)
    name = models.CharField(_("名称"), max_length=64)
    level = models.CharField(_("层级"), max_length=16, choices=Level.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(_("路径"), max_length=255, unique=True, editable=False)
    is_illustrative = models.BooleanField(
        _("示意数据"), default=False, help_text=_("演示用的示意名称，非官方公布的区划。")
    )

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]
        indexes = [models.Index(fields=["parent", "code"])]
        constraints = [
            models.CheckConstraint(
                name="org_region_code_length_fits_level",
                condition=(
                    Q(Exact(Length("code"), 6), level__in=["province", "city", "county"])
                    | Q(Exact(Length("code"), 9), level="town")
                    | Q(Exact(Length("code"), 12), level="village")
                ),
            ),
            models.CheckConstraint(
                name="org_region_path_ends_with_code",
                condition=Q(EndsWith(models.F("path"), Concat(models.F("code"), models.Value("/")))),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    """A unit that owns work: a county bureau, a town government, a court, a utility company.

    ``name_key`` and ``short_name_key`` are the normalised lookup keys (see ``names.py``); they are
    derived, so ``save`` keeps them in step with the names whoever writes them (service or admin).
    """

    class Kind(models.TextChoices):
        GOVERNMENT = "government", _("县政府部门")
        TOWN = "town", _("镇街")
        PARTY = "party", _("党委部门")
        COURT_PROCURATORATE = "court_procuratorate", _("政法")
        ENTERPRISE = "enterprise", _("公用企业")
        OTHER = "other", _("其他")

    code = models.SlugField(_("编码"), max_length=64, unique=True)
    name = models.CharField(_("全称"), max_length=128, unique=True)
    short_name = models.CharField(_("简称"), max_length=64)
    region = models.ForeignKey(Region, verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="departments")
    kind = models.CharField(_("类别"), max_length=32, choices=Kind.choices, default=Kind.GOVERNMENT)
    is_active = models.BooleanField(_("启用"), default=True)
    name_key = models.CharField(max_length=128, db_index=True, editable=False)
    short_name_key = models.CharField(max_length=64, db_index=True, editable=False)

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        ordering = ["kind", "code"]

    def __str__(self) -> str:
        return self.short_name or self.name

    def save(self, *args, **kwargs):
        self.name_key = normalize_department_name(self.name)
        self.short_name_key = normalize_department_name(self.short_name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and ({"name", "short_name"} & set(update_fields)):
            kwargs["update_fields"] = {*update_fields, "name_key", "short_name_key"}
        super().save(*args, **kwargs)


class DepartmentAlias(models.Model):
    """Another way documents write a department (市场监管局 for 眉县市场监督管理局), misspellings included."""

    # Unique per department: 人社局 is an alias in every county that writes it.
    alias = models.CharField(_("别名"), max_length=128)
    # Not unique: 县审批局 and 审批局 are two spellings with one key, both kept for display.
    # That a key never points at two departments of one region is checked by the import.
    key = models.CharField(max_length=128, db_index=True, editable=False)
    department = models.ForeignKey(Department, verbose_name=_("部门"), on_delete=models.CASCADE, related_name="aliases")

    class Meta:
        verbose_name = _("部门别名")
        verbose_name_plural = _("部门别名")
        ordering = ["alias"]
        constraints = [models.UniqueConstraint(fields=["department", "alias"], name="org_alias_unique_per_department")]

    def __str__(self) -> str:
        return self.alias

    def save(self, *args, **kwargs):
        self.key = normalize_department_name(self.alias)
        super().save(*args, **kwargs)


class ServiceHall(models.Model):
    """A place where people are served: the county hall, a town centre, a village station, the zone centre."""

    class Kind(models.TextChoices):
        COUNTY_HALL = "county_hall", _("县政务服务中心")
        TOWN_CENTRE = "town_centre", _("镇便民服务中心")
        VILLAGE_STATION = "village_station", _("村便民服务站")
        ZONE_CENTRE = "zone_centre", _("经开区综合服务中心")

    name = models.CharField(_("名称"), max_length=128)
    kind = models.CharField(_("类别"), max_length=32, choices=Kind.choices)
    region = models.ForeignKey(Region, verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="halls")
    address = models.CharField(_("地址"), max_length=255, blank=True)
    opening_hours = models.CharField(_("办公时间"), max_length=255, blank=True)
    phone = models.CharField(_("咨询电话"), max_length=32, blank=True)
    is_illustrative = models.BooleanField(_("示意数据"), default=False)

    class Meta:
        verbose_name = _("服务大厅/站点")
        verbose_name_plural = _("服务大厅/站点")
        ordering = ["region__code", "name"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="org_hall_name_unique_in_region")]

    def __str__(self) -> str:
        return self.name


class Window(models.Model):
    """A numbered counter in a hall (前台综合受理 happens at comprehensive windows)."""

    class Kind(models.TextChoices):
        COMPREHENSIVE = "comprehensive", _("综合窗口")
        DELIVERY = "delivery", _("出件窗口")
        SPECIALISED = "specialised", _("专业窗口")

    hall = models.ForeignKey(ServiceHall, verbose_name=_("大厅"), on_delete=models.CASCADE, related_name="windows")
    number = models.PositiveSmallIntegerField(_("窗口号"))
    label = models.CharField(_("名称"), max_length=64)
    kind = models.CharField(_("类别"), max_length=32, choices=Kind.choices, default=Kind.COMPREHENSIVE)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("窗口")
        verbose_name_plural = _("窗口")
        ordering = ["hall", "number"]
        constraints = [
            models.UniqueConstraint(fields=["hall", "number"], name="org_window_number_unique_in_hall"),
            models.CheckConstraint(name="org_window_number_positive", condition=Q(number__gte=1)),
        ]

    def __str__(self) -> str:
        return f"{self.hall.name} {self.label}"


class Role(models.TextChoices):
    CITIZEN = "citizen", _("群众")
    ENTERPRISE = "enterprise", _("企业")
    CLERK = "clerk", _("综合窗口")
    HANDLER = "handler", _("部门经办")
    DISPATCHER = "dispatcher", _("12345派单员")
    INSPECTOR = "inspector", _("执法检查")
    SUPERVISOR = "supervisor", _("督查")
    LEADER = "leader", _("领导")
    ADMIN = "admin", _("系统管理员")


# Roles whose work belongs to a department, and roles that look over a region.
DEPARTMENT_ROLES = frozenset({Role.HANDLER, Role.INSPECTOR, Role.DISPATCHER})
HALL_ROLES = frozenset({Role.CLERK})
REGION_ROLES = frozenset({Role.LEADER, Role.SUPERVISOR})
STAFF_ROLES = frozenset(set(Role) - {Role.CITIZEN, Role.ENTERPRISE})


class User(AbstractUser):
    """A person who signs in. Phone and ID number are encrypted at rest and found by their keyed hash."""

    display_name = models.CharField(_("姓名"), max_length=64, blank=True)
    phone = EncryptedCharField(_("手机号"), max_length=11, blank=True, null=True)
    phone_hash = PiiHashField()
    id_number = EncryptedCharField(_("身份证号"), max_length=18, blank=True, null=True)
    id_number_hash = PiiHashField()
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, blank=True, db_index=True, validators=[validate_uscc])
    failed_login_count = models.PositiveSmallIntegerField(_("连续登录失败次数"), default=0)
    locked_until = models.DateTimeField(_("锁定至"), null=True, blank=True)
    last_failed_login_at = models.DateTimeField(_("最近登录失败时间"), null=True, blank=True)

    class Meta(AbstractUser.Meta):
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        swappable = "AUTH_USER_MODEL"

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def name(self) -> str:
        return self.display_name or self.get_full_name() or self.username


class LoginThrottle(models.Model):
    """Consecutive sign-in failures of one username from one client address, and its lock.

    等保 level 3 lockout (GB/T 22239-2019 8.1.4.1 b) counted per username + IP, so one address
    cannot lock someone else's account; ``User.failed_login_count`` counts across all addresses
    and locks the account itself at ``LOGIN_ACCOUNT_MAX_FAILURES``. Kept for unknown usernames
    too, so a lock tells nothing about whether an account exists.
    """

    username = models.CharField(_("用户名"), max_length=150)
    ip = models.CharField(_("来源地址"), max_length=45, blank=True)
    failures = models.PositiveSmallIntegerField(_("连续失败次数"), default=0)
    locked_until = models.DateTimeField(_("锁定至"), null=True, blank=True)
    last_failed_at = models.DateTimeField(_("最近失败时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("登录失败计数")
        verbose_name_plural = _("登录失败计数")
        constraints = [models.UniqueConstraint(fields=["username", "ip"], name="org_login_throttle_username_ip")]

    def __str__(self) -> str:
        return f"{self.username} @ {self.ip or '-'}"


class Membership(models.Model):
    """One role a user holds, with where it applies. A user may hold several.

    Staff roles are anchored: handler/inspector/dispatcher to a department, clerk to a hall,
    leader/supervisor to a region. The database refuses an unanchored row.
    """

    user = models.ForeignKey(User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("角色"), max_length=16, choices=Role.choices)
    department = models.ForeignKey(
        Department, verbose_name=_("部门"), null=True, blank=True, on_delete=models.PROTECT, related_name="memberships"
    )
    region = models.ForeignKey(
        Region, verbose_name=_("区划"), null=True, blank=True, on_delete=models.PROTECT, related_name="memberships"
    )
    hall = models.ForeignKey(
        ServiceHall, verbose_name=_("大厅"), null=True, blank=True, on_delete=models.PROTECT, related_name="memberships"
    )
    window = models.ForeignKey(
        Window, verbose_name=_("窗口"), null=True, blank=True, on_delete=models.PROTECT, related_name="memberships"
    )
    created_at = models.DateTimeField(_("授予时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")
        ordering = ["user", "role"]
        indexes = [models.Index(fields=["role", "department"]), models.Index(fields=["role", "region"])]
        constraints = [
            models.CheckConstraint(
                name="org_membership_department_roles_need_department",
                condition=~Q(role__in=["handler", "inspector", "dispatcher"]) | Q(department__isnull=False),
            ),
            models.CheckConstraint(
                name="org_membership_clerk_needs_hall",
                condition=~Q(role="clerk") | Q(hall__isnull=False),
            ),
            models.CheckConstraint(
                name="org_membership_region_roles_need_region",
                condition=~Q(role__in=["leader", "supervisor"]) | Q(region__isnull=False),
            ),
            models.CheckConstraint(
                name="org_membership_window_needs_hall",
                condition=Q(window__isnull=True) | Q(hall__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        anchor = self.window or self.hall or self.department or self.region
        return f"{self.user} · {self.get_role_display()}" + (f" · {anchor}" if anchor else "")

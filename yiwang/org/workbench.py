"""What each role's card on the workbench says and links to.

Kept as data so that a new app adds its links here without touching the view. A link whose target
does not exist yet is listed under "coming" as plain text, never as a dead link.
"""

from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from yiwang.org.models import Role


@dataclass(frozen=True)
class Link:
    label: str
    target: str  # a URL name ("org:departments") or an absolute path ("/workdays/")
    staff_only: bool = False  # needs is_staff (the Django admin)

    def url(self) -> str | None:
        if self.target.startswith("/"):
            return self.target
        try:
            return reverse(self.target)
        except NoReverseMatch:
            return None


@dataclass(frozen=True)
class Card:
    role: str
    title: str
    duty: str
    coming: tuple[str, ...] = ()
    links: tuple[Link, ...] = field(default_factory=tuple)


CALENDAR = Link(_("工作日历"), "workdays:calendar")
DEPARTMENTS = Link(_("部门与别名"), "org:departments")

CARDS: dict[str, Card] = {
    Role.CITIZEN: Card(
        Role.CITIZEN,
        _("群众办事"),
        _("查办事指南、在线申请、查询进度、反映诉求、评价服务。"),
        coming=(_("好差评"),),
        links=(
            Link(_("办事指南"), "catalog:search"),
            Link(_("在线导办"), "cases:guide"),
            Link(_("我的办件"), "cases:my_cases"),
            Link(_("反映诉求"), "hotline:submit"),
            Link(_("诉求查询"), "hotline:track"),
        ),
    ),
    Role.ENTERPRISE: Card(
        Role.ENTERPRISE,
        _("企业办事"),
        _("企业开办一网通办、涉企许可、电子证照、项目审批进度、诉求与评价。"),
        coming=(_("电子证照"),),
        links=(
            Link(_("一件事一次办（企业开办）"), "catalog:bundle_list"),
            Link(_("在线导办"), "cases:guide"),
            Link(_("我的办件"), "cases:my_cases"),
            Link(_("反映诉求"), "hotline:submit"),
        ),
    ),
    Role.CLERK: Card(
        Role.CLERK,
        _("综合窗口"),
        _("前台综合受理：收件、核验材料，受理、容缺受理或一次性告知补正，统一窗口出件。"),
        links=(
            Link(_("收件受理"), "cases:counter"),
            Link(_("待出件"), "cases:delivery_desk"),
            Link(_("远程帮办"), "cases:help_queue"),
            Link(_("办不成事登记"), "hotline:unresolved"),
            Link(_("诉求登记"), "hotline:intake"),
            CALENDAR,
        ),
    ),
    Role.HANDLER: Card(
        Role.HANDLER,
        _("部门经办"),
        _("后台分类办理本部门的办件和诉求，按工作日时限办结。"),
        links=(
            Link(_("待办办件"), "cases:handler_queue"),
            Link(_("事中事后核查"), "cases:verifications"),
            Link(_("待办诉求"), "hotline:handler_queue"),
            Link(_("办不成事"), "hotline:unresolved"),
            Link(_("事项管理"), "catalog:staff_list"),
            Link(_("变更审核"), "catalog:review_queue"),
            CALENDAR,
        ),
    ),
    Role.DISPATCHER: Card(
        Role.DISPATCHER,
        _("12345 派单"),
        _("接诉即办：诉求分类、派单到部门，审核退单与延期，办结后回访。"),
        links=(
            Link(_("诉求登记"), "hotline:intake"),
            Link(_("待派诉求"), "hotline:dispatch_queue"),
            Link(_("三率看板"), "hotline:dashboard"),
            Link(_("热点分布"), "hotline:hotspots"),
            Link(_("知识库"), "hotline:knowledge"),
            CALENDAR,
            DEPARTMENTS,
        ),
    ),
    Role.INSPECTOR: Card(
        Role.INSPECTOR,
        _("执法检查"),
        _("双随机、一公开：按抽取结果实施检查，录入并公示检查结果。"),
        coming=(_("我的检查任务"), _("检查结果录入")),
        links=(CALENDAR,),
    ),
    Role.SUPERVISOR: Card(
        Role.SUPERVISOR,
        _("督查督办"),
        _("跟踪实施方案任务、差评整改和超期事项，组织季度政务服务效能“大体检”。"),
        coming=(_("任务进度"), _("整改跟踪")),
        links=(
            Link(_("办件效能"), "cases:leader"),
            Link(_("接诉即办看板"), "hotline:dashboard"),
            Link(_("事项目录指标"), "catalog:targets"),
            Link(_("办不成事月报"), "hotline:unresolved_summary"),
            CALENDAR,
            DEPARTMENTS,
        ),
    ),
    Role.LEADER: Card(
        Role.LEADER,
        _("领导看板"),
        _("按领域查看目标值与实测值、超期清单和整改情况。"),
        coming=(_("营商环境指标"),),
        links=(
            Link(_("办件效能"), "cases:leader"),
            Link(_("接诉即办看板"), "hotline:dashboard"),
            Link(_("热点分布"), "hotline:hotspots"),
            Link(_("事项目录指标"), "catalog:targets"),
        ),
    ),
    Role.ADMIN: Card(
        Role.ADMIN,
        _("系统管理"),
        _("维护部门、用户与角色、工作日历和事项目录。"),
        links=(
            CALENDAR,
            Link(_("日历导入"), "workdays:import"),
            Link(_("事项管理"), "catalog:staff_list"),
            Link(_("事项导入"), "catalog:staff_import"),
            Link(_("变更审核"), "catalog:review_queue"),
            DEPARTMENTS,
            Link(_("用户"), "admin:org_user_changelist", staff_only=True),
            Link(_("API 文档"), "/api/docs"),
        ),
    ),
}

ROLE_ORDER = [role.value for role in Role]


def cards_for(user, roles: set[str]) -> list[dict]:
    """The cards for the roles a user holds, in Role order, with links resolved."""
    cards = []
    for role in ROLE_ORDER:
        if role not in roles:
            continue
        card = CARDS[role]
        links = []
        for link in card.links:
            url = link.url()
            if url and (user.is_staff or not link.staff_only):
                links.append({"label": link.label, "url": url})
        cards.append({"role": role, "title": card.title, "duty": card.duty, "coming": card.coming, "links": links})
    return cards

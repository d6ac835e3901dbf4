"""The staff workbench: one card per role a user holds, each listing the pages that role works in.

org owns the roles, so it owns the cards (a title and a duty per role, registered at the end of this
module). Every app contributes the links to its own pages from a ``workbench`` module of its own:

    # yiwang/hotline/workbench.py
    from yiwang.org.models import Role
    from yiwang.org.workbench import Link, register

    register("hotline", links={Role.DISPATCHER: [Link("待派诉求", "hotline:dispatch_queue", order=20)]})

The modules are found with ``autodiscover_modules("workbench")`` the first time a workbench is drawn,
so an app that is not installed contributes nothing — no card, no link, no "coming soon" text.
A link whose URL name does not resolve is dropped, never shown dead.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from threading import Lock

from django.urls import NoReverseMatch, reverse
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _

from yiwang.org.models import Role


@dataclass(frozen=True)
class Link:
    label: str
    target: str  # a URL name ("org:departments") or an absolute path ("/api/docs")
    staff_only: bool = False  # needs is_staff (the Django admin)
    order: int = 100  # position on the card; lower comes first (ties keep registration order)

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


class Workbench:
    """The registry: cards and links per role, kept per provider (usually an app's label)."""

    def __init__(self) -> None:
        self._cards: dict[str, dict[str, Card]] = {}
        self._links: dict[str, dict[str, tuple[Link, ...]]] = {}
        self._discovered = False
        self._lock = Lock()

    def register(
        self,
        provider: str,
        *,
        cards: Iterable[Card] = (),
        links: Mapping[str, Iterable[Link]] | None = None,
    ) -> None:
        """Set what ``provider`` contributes (replacing what it contributed before)."""
        self._cards[provider] = {str(card.role): card for card in cards}
        self._links[provider] = {str(role): tuple(items) for role, items in (links or {}).items()}

    def unregister(self, provider: str) -> None:
        self._cards.pop(provider, None)
        self._links.pop(provider, None)

    def providers(self) -> list[str]:
        self.discover()
        return list(dict.fromkeys([*self._cards, *self._links]))

    def discover(self) -> None:
        """Import every installed app's ``workbench`` module once."""
        if self._discovered:
            return
        with self._lock:
            if not self._discovered:
                autodiscover_modules("workbench")
                self._discovered = True

    def card(self, role: str) -> Card | None:
        self.discover()
        for cards in self._cards.values():
            if role in cards:
                return cards[role]
        return None

    def links(self, role: str) -> list[Link]:
        """The links registered for ``role``, in card order."""
        self.discover()
        found = [link for links in self._links.values() for link in links.get(role, ())]
        return sorted(found, key=lambda link: link.order)


workbench = Workbench()
register = workbench.register

ROLE_ORDER = [role.value for role in Role]


def cards_for(user, roles: set[str]) -> list[dict]:
    """The cards for the roles a user holds, in Role order, with links resolved.

    A staff-only link (the Django admin) is shown to ``is_staff`` users only; an unresolvable link is dropped.
    """
    cards = []
    for role in ROLE_ORDER:
        if role not in roles:
            continue
        card = workbench.card(role)
        if card is None:
            continue
        links = []
        for link in workbench.links(role):
            url = link.url()
            if url and (user.is_staff or not link.staff_only):
                links.append({"label": link.label, "url": url})
        cards.append({"role": role, "title": card.title, "duty": card.duty, "links": links})
    return cards


# --- org's own contribution: the role cards and the org pages ------------------------------------

DEPARTMENTS = _("部门与别名")

register(
    "org",
    cards=(
        Card(Role.CITIZEN, _("群众办事"), _("查办事指南、在线申请、查询进度、反映诉求、评价服务。")),
        Card(
            Role.ENTERPRISE,
            _("企业办事"),
            _("企业开办一网通办、涉企许可、电子证照、项目审批进度、诉求与评价。"),
        ),
        Card(
            Role.CLERK,
            _("综合窗口"),
            _("前台综合受理：收件、核验材料，受理、容缺受理或一次性告知补正，统一窗口出件。"),
        ),
        Card(Role.HANDLER, _("部门经办"), _("后台分类办理本部门的办件和诉求，按工作日时限办结。")),
        Card(Role.DISPATCHER, _("12345 派单"), _("接诉即办：诉求分类、派单到部门，审核退单与延期，办结后回访。")),
        Card(Role.INSPECTOR, _("执法检查"), _("双随机、一公开：按抽取结果实施检查，录入并公示检查结果。")),
        Card(
            Role.SUPERVISOR,
            _("督查督办"),
            _("跟踪实施方案任务、差评整改和超期事项，组织季度政务服务效能“大体检”。"),
        ),
        Card(Role.LEADER, _("领导看板"), _("按领域查看目标值与实测值、超期清单和整改情况。")),
        Card(Role.ADMIN, _("系统管理"), _("维护部门、用户与角色、工作日历和事项目录。")),
    ),
    links={
        Role.DISPATCHER: [Link(DEPARTMENTS, "org:departments", order=95)],
        Role.SUPERVISOR: [Link(DEPARTMENTS, "org:departments", order=95)],
        Role.ADMIN: [
            Link(DEPARTMENTS, "org:departments", order=60),
            Link(_("导入区划与部门"), "org:import", order=65),
            Link(_("用户"), "admin:org_user_changelist", staff_only=True, order=70),
            Link(_("API 文档"), "/api/docs", order=80),
        ],
    },
)

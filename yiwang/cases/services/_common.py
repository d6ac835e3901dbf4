"""Helpers every stage of the case services shares: locking, audit, timeline events, notices,
the clerk/handler checks and the clock of the case."""

from __future__ import annotations

import datetime as dt
import secrets

from django.urls import reverse
from django.utils import timezone

from yiwang.cases import selectors
from yiwang.cases.models import (
    Case,
    CaseEvent,
    CaseState,
    Channel,
    Notice,
    NoticeKind,
)
from yiwang.core.audit import audit_record
from yiwang.core.errors import ApplicationError
from yiwang.core.notify import ToDepartment, ToPhone, ToUser, notify
from yiwang.org.models import ServiceHall
from yiwang.org.scoping import scope_for
from yiwang.workdays.models import Clock
from yiwang.workdays.services import clock_stop

S = CaseState


CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


# Form fields that identify the applicant: kept in the (encrypted) applicant columns, never in form_data.
IDENTITY_FIELDS = {
    "applicant_name": "name",
    "applicant_id_number": "id_number",
    "applicant_phone": "phone",
    "entity_name": "name",
    "entity_uscc": "uscc",
    "contact_phone": "phone",
}


HALL_CHANNELS = {
    ServiceHall.Kind.COUNTY_HALL: Channel.COUNTER,
    ServiceHall.Kind.ZONE_CENTRE: Channel.COUNTER,
    ServiceHall.Kind.TOWN_CENTRE: Channel.TOWN_CENTRE,
    ServiceHall.Kind.VILLAGE_STATION: Channel.VILLAGE_STATION,
}


DEFAULT_PLEDGE_TEXT = (
    "本人（单位）已知晓告知的全部内容，所填写的信息真实、准确，符合告知的条件、标准和要求，"
    "愿意承担不实承诺的法律责任，并接受行政机关的事中事后核查。"
)


def _now() -> dt.datetime:
    return timezone.now()


def _today() -> dt.date:
    return timezone.localdate()


def _locked(case: Case) -> Case:
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("department", "department__region", "region", "hall", "item_version", "clock", "intake_clock")
        .get(pk=case.pk)
    )


CASE_AUDIT_FIELDS = ("state", "assigned_to", "due_on", "hall", "extended", "deferred_overdue")


def _snap(case: Case) -> dict:
    return {
        "state": case.state,
        "assigned_to": case.assigned_to_id,
        "due_on": case.due_on.isoformat() if case.due_on else None,
        "hall": case.hall_id,
        "extended": case.extended,
        "deferred_overdue": case.deferred_overdue,
    }


def _audit(*, actor, action: str, case: Case, before: dict | None, details: dict | None = None) -> None:
    audit_record(actor=actor, action=action, obj=case, before=before, after=_snap(case), details=details)


def _event(case: Case, action: str, label: str, actor=None, *, public: bool = True, at=None) -> None:
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None  # the kiosk: an anonymous terminal user
    CaseEvent.objects.create(
        case=case,
        region_id=case.region_id,
        at=at or _now(),
        action=action,
        label=label[:300],
        public=public,
        actor=actor,
    )


def _notify_applicant(case: Case, template: str, key: str, **context) -> None:
    """SMS to the applicant's phone and an inbox message to their account (same transaction).

    ``template`` is one of ``yiwang.cases.messages``; ``number`` and ``title`` are filled from the case
    (a bundle's sub-case reports to the bundle's applicant). The inbox message links to the case page.
    """
    root = case.parent or case
    to = [ToPhone(root.applicant_phone or "")]
    if root.applicant_user_id:
        to.append(ToUser(root.applicant_user_id))
    notify(
        to=to,
        template=template,
        context={"number": case.number, "title": case.title, **context},
        key=f"case:{root.pk}:{key}",
        link=reverse("cases:my_case", args=[root.number]),
        region_code=case.region.code,
    )


def _notify_department(case: Case, template: str, key: str, **context) -> None:
    """An inbox message to the case's handler, or to its department's queue while unassigned."""
    to = ToUser(case.assigned_to_id) if case.assigned_to_id else ToDepartment(case.department_id)
    notify(
        to=to,
        template=template,
        context={"number": case.number, "title": case.title, **context},
        key=f"case:{case.pk}:{key}:dept",
        link=reverse("cases:handler_case", args=[case.number]),
    )


def _forbidden(code: str, message: str, **details) -> ApplicationError:
    return ApplicationError(code, message, details=details, status=403)


def _conflict(code: str, message: str, **details) -> ApplicationError:
    return ApplicationError(code, message, details=details, status=409)


def _required(code: str, message: str, field_name: str) -> ApplicationError:
    return ApplicationError(code, message, details={"field": field_name})


def _check_clerk(case: Case, actor, action: str = "case.accept") -> ServiceHall:
    """Rule (``action`` of ``yiwang.org.scoping``, hall anchor): any clerk of the hall that took a case in
    acts on it (综合窗口 无差别受理); an online case is open to clerks of any hall whose region contains
    the case's region (a town centre never acts on a county-level case, the county hall on all of the
    county's) and then belongs to the hall that acts. Returns that hall.
    Errors: ``case.not_a_clerk`` (403), ``case.clerk_outside_hall`` (403)."""
    scope = scope_for(actor)
    if not scope.can(action):
        raise _forbidden("case.not_a_clerk", "只有综合窗口工作人员可以办理此操作", case=case.number)
    if case.hall_id is not None:
        if scope.can(action, region=case.region, hall=case.hall):
            return case.hall
        raise _forbidden(
            "case.clerk_outside_hall",
            f"该办件由{case.hall}受理，您所在大厅不能办理",
            case=case.number,
            hall=case.hall_id,
        )
    hall = selectors.clerk_hall_over(actor, case.region) if scope.can(action, region=case.region, hall=None) else None
    if hall is None:
        raise _forbidden("case.clerk_outside_hall", "该办件不属于您所在大厅的受理范围", case=case.number)
    return hall


def _check_handler(case: Case, actor, action: str = "case.review") -> None:
    """Rule (DESIGN: department scoping; ``action`` of ``yiwang.org.scoping``, department anchor): only
    the case's department acts on it — inspectors, leaders and other departments do not.
    ``case.not_your_department`` (403)."""
    if not scope_for(actor).can(action, department=case.department):
        raise _forbidden(
            "case.not_your_department",
            f"该办件由{case.department}办理，您无权操作",
            case=case.number,
            department=case.department.code,
        )


def _check_applicant_side(case: Case, actor) -> None:
    """The applicant's account, their agent, or a clerk who may act on the case."""
    root = case.parent or case
    if actor is not None and getattr(actor, "is_authenticated", False):
        if actor.pk in (root.applicant_user_id, root.agent_user_id):
            return
        if scope_for(actor).can("case.accept"):
            _check_clerk(root, actor)
            return
    raise _forbidden("case.not_your_case", "只有申请人本人、其代办人或受理窗口可以办理此操作", case=case.number)


def _check_not_parent(case: Case) -> None:
    if case.is_bundle_parent:
        raise _conflict(
            "case.bundle_parent_not_handled",
            "“一件事”主件由各部门分办件办理，请在分办件上操作",
            case=case.number,
        )


def _set_due(case: Case, clock: Clock | None) -> None:
    case.due_on = clock.due_on if clock else None
    case.due_provisional = clock.provisional if clock else False


def _issue_notice(case: Case, kind: str, *, actor, content: dict) -> Notice:
    """Issue a written notice in the name of the competent authority (the item's 实施主体), with its
    seal placeholder; the hall that took the application in is named as the place of acceptance."""
    now = _now()
    notice = Notice(
        case=case,
        region_id=case.region_id,
        kind=kind,
        number=f"tmp-{secrets.token_hex(8)}",
        content={},
        issued_by=actor,
        issued_at=now,
    )
    notice.save(force_insert=True)
    authority = _authority(case)
    year = timezone.localtime(now).year
    notice.number = f"{_authority_abbreviation(authority)}{NOTICE_PREFIX[kind]}〔{year}〕{notice.pk:06d}号"
    base = {
        "title": str(NoticeKind(kind).label),
        "number": notice.number,
        "case_number": case.number,
        "issuer": authority.name,
        "seal": f"{authority.name}（印章）",
        "addressee": case.applicant_name,
        "date": f"{timezone.localtime(now):%Y年%m月%d日}",
    }
    notice.content = {**base, **content}
    notice.save(update_fields=["number", "content"])
    return notice


NOTICE_PREFIX = {
    NoticeKind.ACCEPTANCE: "受字",
    NoticeKind.CORRECTION: "补字",
    NoticeKind.REJECTION: "不受字",
    NoticeKind.DEFERRED: "容字",
    NoticeKind.DECISION: "决字",
    NoticeKind.PLEDGE: "诺字",
}


def _authority(case: Case):
    """The competent authority a notice is issued by: the implementing department (实施主体) of the
    case's item — for a bundle's parent, the bundle's lead department — never the service centre."""
    if case.item_id and case.item.implementing_department_id:
        return case.item.implementing_department
    if case.bundle_id and case.bundle.lead_department_id:
        return case.bundle.lead_department
    return case.department


def _authority_abbreviation(department) -> str:
    """The prefix of a notice number: the county's first character + the authority's short name without
    the county's name or a leading "县" (县市场监管局 → 眉市场监管局, 供电眉县分公司 → 眉供电分公司)."""
    county = _county(department.region).name if department.region_id else ""
    short = (department.short_name or department.name or "").strip()
    if county:
        short = short.replace(county, "")
    short = short.removeprefix("县") or short
    return f"{county[:1]}{short}"


def _issuer(case: Case) -> str:
    """The authority's full name (e.g. 眉县市场监督管理局)."""
    return _authority(case).name


def _acceptance_place(case: Case) -> str:
    return f"{case.hall}综合窗口" if case.hall_id else "“一网”网上受理"


def _county(region):
    """The county (区县) a region lies in, walking up the region tree; a region above county level itself."""
    node = region
    while node is not None and node.level not in ("county", "province", "city"):
        node = node.parent
    return node if node is not None and node.level == "county" else region


def _county_bodies(department) -> tuple[str, str]:
    """The county government (行政复议机关, 行政复议法 Art. 24) and the county's basic court (行政诉讼法
    Art. 18) for a department's act, by their names in the organisation data (the government by its
    office, 眉县人民政府办公室 → 眉县人民政府); where the data lacks them, named from the county."""
    from yiwang.org.models import Department

    county = _county(department.region)
    here = Department.objects.filter(region=county)
    court = here.filter(name__endswith="人民法院").values_list("name", flat=True).first()
    office = here.filter(name__endswith="人民政府办公室").values_list("name", flat=True).first()
    government = office.removesuffix("办公室") if office else f"{county.name}人民政府"
    return government, court or f"{county.name}人民法院"


def _remedies_text(case: Case, document: str) -> str:
    """行政复议法 (2023) Art. 20: sixty days, before the county government (Art. 24: an act of a county
    department); 行政诉讼法 Art. 46: six months, before the county's basic court."""
    government, court = _county_bodies(case.department)
    return (
        f"如不服本{document}，可以自收到本{document}之日起六十日内向{government}申请行政复议"
        "（《中华人民共和国行政复议法》第二十条、第二十四条），"
        f"或者自收到本{document}之日起六个月内向{court}提起行政诉讼"
        "（《中华人民共和国行政诉讼法》第四十六条）。"
    )


def _item_legal_basis(case: Case) -> str:
    """The legal basis (设定依据) of the item version the case was filed under."""
    if case.item_version_id:
        return str(case.item_version.elements.get("legal_basis") or "").strip()
    return ""


def _stop_clock(clock: Clock | None, *, actor, on: dt.date | None = None) -> Clock | None:
    if clock is not None and clock.state != Clock.State.STOPPED:
        return clock_stop(clock=clock, actor=actor, on=on)
    return clock

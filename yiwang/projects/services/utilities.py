"""Utility connections (plan 四(三)1: electricity within 5 / 20 / 6 / 22 / 32 working days by
category; 四(三)2, 3: the approvals a connection needs run in parallel as cases, their results sent
to the utility automatically)."""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import transaction
from django.utils import timezone

from yiwang.cases.models import AgentKind, ApplicantKind, Case, CaseState
from yiwang.catalog.models import ServiceItem
from yiwang.core.audit import audit_record
from yiwang.core.identifiers import is_valid_uscc
from yiwang.core.notify import ToDepartment, ToPhone, notify
from yiwang.org.models import Department
from yiwang.org.scoping import scope_for
from yiwang.projects import measures
from yiwang.projects.conf import setting, utility_categories
from yiwang.projects.models import ConstructionProject, UtilityApproval, UtilityConnection, UtilityKind
from yiwang.projects.services._common import _check, _conflict, _error
from yiwang.workdays.calendar import as_date
from yiwang.workdays.deadlines import clock_used_workdays
from yiwang.workdays.models import Clock
from yiwang.workdays.selectors import add_workdays
from yiwang.workdays.services import clock_start, clock_stop

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


# --- utility connections -------------------------------------------------------------------------


def utility_department(kind: str) -> Department:
    return Department.objects.get(code=setting("UTILITY_DEPARTMENTS")[kind])


def connection_apply(
    *,
    kind: str,
    category: str,
    applicant_name: str,
    address: str,
    region,
    actor,
    applicant_phone: str = "",
    applicant_uscc: str = "",
    capacity: str = "",
    project: ConstructionProject | None = None,
    approvals: tuple[str, ...] | list[str] = (),
    accepted_at: dt.datetime | None = None,
    utility: Department | None = None,
) -> UtilityConnection:
    """Accept a connection application and start its clock: the category's limit from the settings
    (electricity: plan 四(三)1; water and gas: county defaults). The approvals it needs (占掘路, 占用绿地,
    规划路由) are applied for at once as cases, in parallel (plan 四(三)3), in the name of the applicant
    enterprise. Errors: ``utility.kind_invalid``, ``utility.category_invalid``, ``utility.name_required``,
    ``utility.address_required``, ``utility.approval_invalid``, ``utility.uscc_required``."""
    from yiwang.cases import services as case_services

    if kind not in UtilityKind.values:
        raise _error("utility.kind_invalid", "报装类型应为用电、用水或用气", field="kind")
    categories = utility_categories(kind)
    if category not in categories:
        raise _error(
            "utility.category_invalid", f"{UtilityKind(kind).label}报装类别不正确：{category}", field="category"
        )
    applicant_name, address = (applicant_name or "").strip(), (address or "").strip()
    if not applicant_name:
        raise _error("utility.name_required", "请填写申请人", field="applicant_name")
    if not address:
        raise _error("utility.address_required", "请填写用户地址", field="address")
    approval_items = setting("UTILITY_APPROVAL_ITEMS")
    unknown = [a for a in approvals if a not in approval_items]
    if unknown:
        raise _error("utility.approval_invalid", f"未知的配套审批：{'、'.join(unknown)}", field="approvals")
    applicant_uscc = (applicant_uscc or "").strip().upper()
    if approvals and not is_valid_uscc(applicant_uscc):
        raise _error(
            "utility.uscc_required", "需办理配套审批时，请填写申请单位正确的统一社会信用代码", field="applicant_uscc"
        )
    utility = utility or utility_department(kind)
    days = int(categories[category]["days"])
    now = accepted_at or timezone.now()
    with transaction.atomic():
        connection = UtilityConnection(
            number=f"T{secrets.token_hex(8)}",
            query_code="".join(secrets.choice(CODE_ALPHABET) for _ in range(6)),
            kind=kind,
            category=category,
            utility=utility,
            region=region,
            project=project,
            applicant_name=applicant_name,
            applicant_phone=applicant_phone or None,
            address=address,
            capacity=capacity,
            days=days,
            accepted_at=now,
            applicant_user=actor if scope_for(actor).can("utility.apply") else None,
        )
        connection.save(force_insert=True)
        prefix = {"electricity": "YD", "water": "YS", "gas": "YQ"}[kind]
        connection.number = f"{prefix}{timezone.localtime(now):%Y%m%d}{connection.pk:06d}"
        connection.clock = clock_start(
            label=f"{connection.number} {categories[category]['label']}报装时限",
            started_at=now,
            days=days,
            actor=actor,
            owner=connection,
            region_code=region.code,
        )
        connection.save(update_fields=["number", "clock"])
        for approval_kind in approvals:
            spec = approval_items[approval_kind]
            case = case_services.case_submit(
                actor=actor,
                applicant=case_services.ApplicantInput(
                    kind=ApplicantKind.ENTERPRISE, name=applicant_name, uscc=applicant_uscc, phone=applicant_phone
                ),
                item=ServiceItem.objects.get(code=spec["item"]),
                form_data={"entity_name": applicant_name, "entity_uscc": applicant_uscc, "entity_address": address},
                agent_kind="" if connection.applicant_user_id else AgentKind.PROXY,
            )
            UtilityApproval.objects.create(connection=connection, kind=approval_kind, item_code=spec["item"], case=case)
        audit_record(
            actor=actor,
            action="projects.connection_accepted",
            obj=connection,
            after={"kind": kind, "category": category, "days": days, "due_on": connection.clock.due_on},
            region_code=region.code,
            details={"approvals": list(approvals)},
        )
        recipients = [ToDepartment(utility.pk)]
        if applicant_phone:
            recipients.append(ToPhone(applicant_phone))
        notify(
            to=recipients,
            template="projects.utility_accepted",
            context={
                "kind": UtilityKind(kind).label,
                "number": connection.number,
                "code": connection.query_code,
                "days": days,
            },
            key=f"connection:{connection.pk}:accepted",
            region_code=region.code,
        )
        measures.on_connection_changed(connection, before=[])
    return connection


def connection_complete(*, connection: UtilityConnection, actor, on: dt.datetime | None = None) -> UtilityConnection:
    """The utility's staff record the connection (装表接电 / 通水 / 通气); the clock stops and the working
    days used are compared with the limit. Errors: ``project.not_permitted`` (403),
    ``utility.invalid_transition`` (409), ``utility.approvals_pending`` (409)."""
    _check(actor, "utility.handle", department=connection.utility, message="只有供应企业的工作人员可以办结报装")
    now = on or timezone.now()
    with transaction.atomic():
        connection = UtilityConnection.objects.select_for_update().get(pk=connection.pk)
        if connection.state != UtilityConnection.State.ACCEPTED:
            raise _conflict("utility.invalid_transition", f"报装当前为“{connection.get_state_display()}”，不能办结")
        pending = [a.get_kind_label() for a in connection.approvals.all() if a.result != "approved"]
        if pending:
            raise _conflict("utility.approvals_pending", f"配套审批尚未办结：{'、'.join(pending)}")
        before = measures.connection_facts(connection)
        clock = clock_stop(clock=Clock.objects.get(pk=connection.clock_id), actor=actor, on=as_date(now))
        connection.state = UtilityConnection.State.CONNECTED
        connection.connected_at = now
        connection.used_workdays = clock_used_workdays(clock, as_date(now))
        connection.on_time = as_date(now) <= clock.due_on
        connection.save(update_fields=["state", "connected_at", "used_workdays", "on_time"])
        audit_record(
            actor=actor,
            action="projects.connection_completed",
            obj=connection,
            before={"state": "accepted"},
            after={"state": "connected", "used_workdays": connection.used_workdays, "on_time": connection.on_time},
        )
        measures.on_connection_changed(connection, before=before)
    return connection


def utility_case_changed(case: Case) -> None:
    """Send an approval's result to the utility automatically (plan 四(三)2: 审批结果自动反馈供电企业)."""
    approval = UtilityApproval.objects.filter(case_id=case.pk).select_related("connection").first()
    if approval is None:
        return
    if case.state in (CaseState.DECIDED_APPROVED, CaseState.DELIVERED):
        result = "approved"
    elif case.state in (CaseState.DECIDED_DENIED, CaseState.REJECTED, CaseState.WITHDRAWN):
        result = "denied"
    else:
        return
    approval = UtilityApproval.objects.select_for_update().select_related("connection").get(pk=approval.pk)
    if approval.result == result:
        return
    approval.result = result
    approval.result_sent_at = timezone.now()
    approval.save(update_fields=["result", "result_sent_at"])
    connection = approval.connection
    audit_record(
        actor=None,
        action="projects.approval_result_sent",
        obj=connection,
        after={"approval": approval.kind, "result": result, "case": case.number},
    )
    notify(
        to=ToDepartment(connection.utility_id),
        template="projects.utility_approval_result",
        context={
            "number": connection.number,
            "address": connection.address,
            "approval": approval.get_kind_label(),
            "result": "准予许可" if result == "approved" else "不予许可",
            "case": case.number,
        },
        key=f"approval:{approval.pk}:{result}",
        link=f"/projects/utilities/{connection.pk}/",
    )


def connection_due_on(connection: UtilityConnection) -> dt.date:
    return add_workdays(connection.accepted_at, connection.days).due

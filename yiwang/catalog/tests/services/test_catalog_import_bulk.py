"""A baseline list is published in bulk: every item still gets its row, materials, version 1, its own
audit event in an unbroken chain, and one roll-up of the targets. The file is typed by hand."""

import pytest
from django.core.management import call_command

from yiwang.catalog import selectors, services
from yiwang.catalog.models import ItemMaterial, ServiceItem, ServiceItemVersion
from yiwang.catalog.tests.services.test_catalog_import_real_lists import _file, _item
from yiwang.core.audit import audit_history, audit_verify
from yiwang.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_it_publishes_each_item_with_its_version_materials_and_own_audit_event(client, admin_user, departments):
    file = _file(
        [
            _item(),
            _item(
                **{"事项编码": "610326-XK-0102", "事项名称": "食品小作坊变更", "网办深度": "二级", "依申请事项": None}
            ),
            _item(**{"事项编码": 610326000103, "事项名称": "食品小作坊注销", "到办事现场次数": "0"}),
        ],
        [
            {"事项编码": "610326-XK-0101", "材料编码": "M1", "材料名称": "营业执照", "材料形式": "原件", "份数": "1"},
            {
                "事项编码": "610326-XK-0101",
                "材料编码": "M2",
                "材料名称": "从业人员健康证明",
                "材料形式": "复印件",
                "份数": 2,
            },
            {"事项编码": "610326-XK-0102", "材料编码": "M1", "材料名称": "变更申请书", "材料形式": "原件"},
        ],
    )
    events_before = AuditEvent.objects.count()

    report = services.catalog_import(file=file, actor=admin_user, reason="眉政办发〔2021〕12号", baseline=True)

    assert report.published == ["610326-XK-0101", "610326-XK-0102", "610326000103"]
    items = {i.code: i for i in ServiceItem.objects.all()}
    assert {c: (i.status, i.version, i.visits_required) for c, i in items.items()} == {
        "610326-XK-0101": ("published", 1, 1),
        "610326-XK-0102": ("published", 1, 1),
        "610326000103": ("published", 1, 0),
    }
    assert list(
        ItemMaterial.objects.order_by("item__code", "position").values_list("item__code", "position", "name", "copies")
    ) == [
        ("610326-XK-0101", 1, "营业执照", 1),
        ("610326-XK-0101", 2, "从业人员健康证明", 2),
        ("610326-XK-0102", 1, "变更申请书", 1),
    ]
    version = ServiceItemVersion.objects.get(item__code="610326-XK-0101")
    assert (version.number, version.reason, version.proposed_by, version.reviewed_by) == (
        1,
        "眉政办发〔2021〕12号",
        admin_user,
        None,
    )
    assert [m["name"] for m in version.elements["materials"]] == ["营业执照", "从业人员健康证明"]
    for code, item in items.items():
        (event,) = audit_history(object_type="catalog.serviceitem", object_id=item.pk)
        assert (event.action, event.actor_id, event.before, event.after["code"]) == (
            "catalog.item.published",
            admin_user.pk,
            {"status": "draft"},
            code,
        )
        assert event.details == {"version": 1, "change": None, "reason": "眉政办发〔2021〕12号"}
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True)[events_before:])
    assert actions == ["catalog.item.published"] * 3 + ["catalog.import"]
    assert audit_verify().ok
    call_command("measures", "check")  # the roll-up equals a rebuild from the items
    overall = selectors.catalog_targets()["overall"]
    assert (overall.published, overall.applied, overall.online) == (3, 3, 2)
    page = client.get("/services/items/610326-XK-0101/").content.decode()
    assert "营业执照" in page and "从业人员健康证明" in page

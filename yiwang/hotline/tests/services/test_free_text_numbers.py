"""Phone and ID numbers typed into an appeal's text, a reply or a 办不成事 record are stored masked,
with the numbers as typed encrypted beside them: the 12345 centre and the lead department read them
in full (page and API), everyone else — co-departments, inspectors, leaders, the public — masked."""

import pytest
from django.apps import apps as current_apps
from django.db import connection

from yiwang.core.fields import revealed
from yiwang.hotline import services
from yiwang.hotline.models import Appeal, AppealEvent, Reply
from yiwang.hotline.tests.views.test_permissions import co_dispatched, inspector_a  # noqa: F401 (fixtures)
from yiwang.org.tests.factories import DepartmentFactory

PHONE, ID_NUMBER = "13991755555", "610326199001011234"
TEXT = "村道坑洼严重，请联系我 1 3 9-9175\u200b5555，身份证 610326 19900101 1234。"
REPLY = "已安排施工队修补，如有问题请拨打 0917-5512345 或 13700001111 联系王工。"


def _raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608 (test names)
        return cursor.fetchone()[0] or ""


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def test_it_stores_an_appeal_text_with_its_numbers_masked_and_the_originals_encrypted(make_appeal):
    appeal = make_appeal(title=f"找{PHONE}", content=TEXT)

    for column in ("title", "content"):
        stored = _raw("hotline_appeal", column, appeal.pk)
        assert PHONE not in _digits(stored) and ID_NUMBER not in _digits(stored)
    assert "139****5555" in _raw("hotline_appeal", "content", appeal.pk)
    assert "6103**********1234" in _raw("hotline_appeal", "content", appeal.pk)
    side = _raw("hotline_appeal", "pii_originals", appeal.pk)
    assert side.startswith("sm4$1$") and "5555" not in side

    fresh = Appeal.objects.get(pk=appeal.pk)
    assert revealed(fresh, "content") == TEXT
    assert revealed(fresh, "title") == f"找{PHONE}"
    assert "139****5555" in fresh.content  # the field itself reads masked


def test_it_keeps_the_originals_when_a_masked_appeal_is_saved_again(make_appeal):
    appeal = make_appeal(content=TEXT)
    appeal = Appeal.objects.get(pk=appeal.pk)
    appeal.address = "营头镇"
    appeal.save()
    assert revealed(Appeal.objects.get(pk=appeal.pk), "content") == TEXT


def test_it_stores_replies_and_timeline_notes_masked(signed_off, handler_a):
    reply = services.appeal_reply(appeal=signed_off, content=REPLY, actor=handler_a)

    stored = _raw("hotline_reply", "content", reply.pk)
    assert "13700001111" not in _digits(stored) and "5512345" not in _digits(stored)
    assert revealed(Reply.objects.get(pk=reply.pk), "content") == REPLY
    for event in AppealEvent.objects.filter(appeal=signed_off):
        assert "13700001111" not in _digits(_raw("hotline_appealevent", "note", event.pk))


@pytest.mark.parametrize(
    ("who", "in_full"),
    [("operator", True), ("handler_a", True), ("inspector_a", False), ("leader", False), ("handler_b", False)],
)
def test_it_shows_typed_numbers_in_full_only_to_the_12345_centre_and_the_lead(
    client, request, make_appeal, operator, dept_a, dept_b, who, in_full
):
    appeal = services.appeal_dispatch(
        appeal=make_appeal(content=TEXT), department=dept_a, co_departments=[dept_b], actor=operator
    )
    client.force_login(request.getfixturevalue(who))

    page = client.get(f"/hotline/staff/appeals/{appeal.code}/").content.decode()
    api = client.get(f"/api/hotline/appeals/{appeal.code}").json()

    assert ("1 3 9-9175" in page) is in_full
    assert (api["content"] == TEXT) is in_full
    if not in_full:
        assert "139****5555" in page and "139****5555" in api["content"]
        assert ID_NUMBER not in _digits(api["content"])


def test_it_masks_the_numbers_of_rows_written_before(make_appeal):
    """The data migration: rows written before the change (plaintext numbers) are masked."""
    from importlib import import_module

    appeal = make_appeal(content="请尽快处理路面坑洼问题。")
    Appeal.objects.filter(pk=appeal.pk).update(content=TEXT)  # as an old row: plaintext
    assert PHONE in _digits(_raw("hotline_appeal", "content", appeal.pk))

    migration = import_module("yiwang.hotline.migrations.0003_free_text_numbers_masked")
    migration.mask_numbers_in_stored_text(current_apps, None)

    assert PHONE not in _digits(_raw("hotline_appeal", "content", appeal.pk))
    assert revealed(Appeal.objects.get(pk=appeal.pk), "content") == TEXT


def test_it_keeps_the_numbers_of_a_resolved_unresolved_matter(clerk, meixian):
    from yiwang.hotline.models import UnresolvedMatter

    description = "老人在窗口反映备案没办成，儿子电话 138-1234-5678，请回访。"
    note = "已电话联系 138 1234 5678 的家属，帮助完成备案"
    matter = services.unresolved_register(
        actor=clerk,
        channel="window",
        summary="异地医保备案不会在手机上操作",
        description=description,
        tier="general",
        reporter_name="王秀兰",
        reporter_phone="13891760231",
        department=DepartmentFactory(code="medical-security", name="眉县医疗保障局"),
    )
    services.unresolved_resolve(matter=matter, resolution="solved", note=note, actor=clerk)

    fresh = UnresolvedMatter.objects.get(pk=matter.pk)
    for column in ("description", "resolution_note"):
        assert "12345678" not in _digits(_raw("hotline_unresolvedmatter", column, matter.pk))
    assert revealed(fresh, "description") == description
    assert revealed(fresh, "resolution_note") == note

import datetime as dt
import threading
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction
from django.db.transaction import TransactionManagementError
from django.utils import timezone

from yiwang.core.audit import (
    GENESIS_HASH,
    audit_maintenance,
    audit_record,
    audit_seal,
    audit_verify,
    event_hash,
    json_safe,
    snapshot,
)
from yiwang.core.models import AuditEvent, AuditLogAppendOnly, AuditStream, OutboxMessage
from yiwang.core.pii import pii_lookup_hash

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")


class Case:
    """A stand-in business object: what audit_record reads from a model instance."""

    _meta = SimpleNamespace(label_lower="cases.case")

    def __init__(self, pk, *, region_code=None, region=None):
        self.pk = pk
        if region_code:
            self.region_code = region_code
        if region:
            self.region = region

    def __str__(self) -> str:
        return f"办件 {self.pk}"


def record(**kwargs) -> AuditEvent:
    """One event recorded in its own transaction and linked by the sequencer, as read back."""
    kwargs.setdefault("actor", None)
    kwargs.setdefault("action", "case.accept")
    with transaction.atomic():
        event = audit_record(**kwargs)
    audit_seal()
    return AuditEvent.objects.select_related("stream").get(pk=event.pk)


def drop_update_trigger() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP TRIGGER core_auditevent_no_update ON core_auditevent")
        else:
            cursor.execute("DROP TRIGGER core_auditevent_no_update")


def verify(*args) -> tuple[str, str]:
    from io import StringIO

    out, err = StringIO(), StringIO()
    try:
        call_command("audit", "verify", *args, stdout=out, stderr=err)
    except CommandError as error:
        return out.getvalue(), err.getvalue() + str(error)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_it_chains_events_within_a_stream(clerk):
    first = record(actor=clerk, obj=Case(1, region_code="610326"), after={"state": "accepted"})
    second = record(actor=clerk, obj=Case(2, region_code="610326"))
    stream = AuditStream.objects.get()

    assert (first.seq, second.seq) == (1, 2)
    assert first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.hash
    assert (stream.last_seq, stream.last_hash) == (2, second.hash)
    assert stream.region_code == "610326"
    assert first.actor_id == 101 and first.actor_label == "王窗口"
    assert (first.object_type, first.object_id, first.object_label) == ("cases.case", "1", "办件 1")
    stored = AuditEvent.objects.get(pk=first.pk)
    assert event_hash(stored, stream.key) == stored.hash


@pytest.mark.django_db
def test_it_keeps_one_stream_per_region_and_shanghai_day(monkeypatch):
    # 17:30 UTC on 1 March is already 2 March in Meixian.
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2025, 3, 1, 17, 30, tzinfo=dt.UTC))
    county = record(obj=Case(1, region_code="610326"))
    town = record(obj=Case(2, region=SimpleNamespace(code="610326101")))
    national = record(region_code=None)
    explicit = record(obj=Case(3, region_code="610326"), region_code="610300")

    assert county.stream.key == "610326:2025-03-02"
    assert town.stream.key == "610326101:2025-03-02"
    assert national.stream.key == "000000:2025-03-02"
    assert explicit.stream.key == "610300:2025-03-02"
    assert {e.seq for e in (county, town, national, explicit)} == {1}
    assert AuditStream.objects.get(key="610326:2025-03-02").day == dt.date(2025, 3, 2)


@pytest.mark.django_db
def test_it_labels_the_system_and_anonymous_visitors():
    assert record(actor=None).actor_label == "系统"
    anonymous = record(actor=SimpleNamespace(pk=None, is_authenticated=False))
    assert (anonymous.actor_id, anonymous.actor_label) == (None, "匿名用户")


@pytest.mark.django_db(transaction=True)
def test_it_refuses_to_record_outside_a_transaction():
    with pytest.raises(TransactionManagementError, match="transaction.atomic"):
        audit_record(actor=None, action="case.accept")
    assert not AuditEvent.objects.exists()
    # A committed event: the flush after this test must be allowed to empty the table.
    record()
    assert AuditEvent.objects.count() == 1


@pytest.mark.django_db
def test_it_refuses_an_unsaved_object():
    with pytest.raises(ValueError, match="saved object"):
        record(obj=Case(None))


def test_it_makes_values_json_safe():
    moment = dt.datetime(2025, 3, 1, 8, 0, tzinfo=dt.UTC)
    assert json_safe(
        {"amount": Decimal("1.50"), "at": moment, "on": dt.date(2025, 3, 1), "tags": {"b", "a"}, 1: (1, None)}
    ) == {"amount": "1.50", "at": "2025-03-01T08:00:00+00:00", "on": "2025-03-01", "tags": ["a", "b"], "1": [1, None]}
    with pytest.raises(TypeError):
        json_safe(object())
    with pytest.raises(ValueError):
        json_safe(float("nan"))


@pytest.mark.django_db
def test_it_snapshots_fields_without_personal_data_in_clear():
    message = OutboxMessage.objects.create(channel="sms", recipient="13812345678", body="已受理")
    data = snapshot(message, ["channel", "recipient", "attempts", "created_at"])
    assert data == {
        "channel": "sms",
        "recipient": f"hmac-sm3:{pii_lookup_hash('13812345678')}",
        "attempts": 0,
        "created_at": message.created_at.isoformat(),
    }
    everything = snapshot(message)
    assert "recipient_hash" not in everything and "id" not in everything
    assert "13812345678" not in str(everything)


@pytest.mark.django_db
def test_it_stores_and_hashes_the_same_json():
    event = record(
        before={"ratio": 1.0, "big": 1e20, "small": 0.25, "text": "眉县"},
        after={"due": dt.date(2025, 3, 10), "fee": Decimal("12.00")},
        details={"nested": {"list": [1, 2.5, None]}},
    )
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.after == {"due": "2025-03-10", "fee": "12.00"}
    assert verify()[0].startswith("审计链校验通过：1 个流，1 条事件")


@pytest.mark.django_db
def test_it_refuses_changes_through_the_orm():
    event = record()
    event.action = "case.reject"
    with pytest.raises(AuditLogAppendOnly):
        event.save()
    with pytest.raises(AuditLogAppendOnly):
        event.delete()
    with pytest.raises(AuditLogAppendOnly):
        AuditEvent.objects.all().delete()
    with pytest.raises(AuditLogAppendOnly):
        AuditEvent.objects.update(action="case.reject")
    assert AuditEvent.objects.get().action == "case.accept"


@pytest.mark.django_db
def test_it_refuses_changes_in_the_database():
    event = record()
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET action = 'case.reject' WHERE id = %s", [event.pk])
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.get().action == "case.accept"


@pytest.mark.django_db
def test_it_allows_deletes_only_in_maintenance():
    kept, deleted = record(), record()
    with audit_maintenance(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [deleted.pk])
    assert list(AuditEvent.objects.values_list("pk", flat=True)) == [kept.pk]
    with pytest.raises(IntegrityError), audit_maintenance(), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET action = 'case.reject' WHERE id = %s", [kept.pk])
    # Outside maintenance deletes are refused again.
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [kept.pk])


@pytest.mark.django_db(transaction=True)
def test_it_lets_only_flush_empty_the_log():
    from django.core.management.commands.flush import Command as DjangoFlush

    record()
    with pytest.raises(CommandError):
        call_command(DjangoFlush(), interactive=False, verbosity=0)
    assert AuditEvent.objects.count() == 1
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_it_verifies_a_clean_log():
    record(region_code="610326")
    record(region_code="610326")
    record(region_code="610327")
    out, err = verify()
    assert "审计链校验通过：2 个流，3 条事件" in out
    assert err == ""


@pytest.mark.django_db
def test_it_finds_an_edited_event():
    record(region_code="610326")
    edited = record(region_code="610326", after={"state": "accepted"})
    record(region_code="610326")
    drop_update_trigger()  # what an attacker with database access would do first
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET actor_label = '张三' WHERE id = %s", [edited.pk])

    out, err = verify()
    assert f"第 2 条（id={edited.pk}）的内容与哈希不符：记录被修改" in err
    assert "审计链校验失败" in err and "1 处问题" in err
    [problem] = audit_verify().problems
    assert (problem.seq, problem.event_id, problem.kind) == (2, edited.pk, "edited")


@pytest.mark.django_db
def test_it_finds_a_deleted_event():
    record(region_code="610326")
    deleted = record(region_code="610326")
    after_gap = record(region_code="610326")
    with audit_maintenance(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [deleted.pk])

    out, err = verify()
    assert f"第 3 条（id={after_gap.pk}）之前缺少第 2 条：记录被删除" in err
    assert [p.kind for p in audit_verify().problems] == ["deleted"]


@pytest.mark.django_db
def test_it_finds_a_deleted_tail():
    record(region_code="610326")
    kept = record(region_code="610326")
    tail = record(region_code="610326")
    with audit_maintenance(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [tail.pk])

    out, err = verify()
    assert f"头记录为第 3 条，实际最后一条为第 2 条（id={kept.pk}）" in err
    assert [p.kind for p in audit_verify().problems] == ["tail"]


@pytest.mark.django_db
def test_it_finds_a_relinked_event():
    first = record(region_code="610326")
    second = record(region_code="610326")
    drop_update_trigger()
    # A forged event: consistent hash of its own, but not linked to its predecessor.
    forged = AuditEvent.objects.get(pk=second.pk)
    forged.prev_hash = "f" * 64
    forged_hash = event_hash(forged, second.stream.key)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE core_auditevent SET prev_hash = %s, hash = %s WHERE id = %s",
            [forged.prev_hash, forged_hash, second.pk],
        )
        cursor.execute("UPDATE core_auditstream SET last_hash = %s", [forged_hash])
    problems = audit_verify().problems
    assert [(p.kind, p.event_id) for p in problems] == [("relinked", second.pk)]
    assert first.pk != second.pk


@pytest.mark.django_db
def test_it_verifies_selected_streams(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2025, 3, 1, 2, 0, tzinfo=dt.UTC))
    record(region_code="610326")
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2025, 3, 5, 2, 0, tzinfo=dt.UTC))
    record(region_code="610326")
    record(region_code="610327")

    assert "1 个流，1 条事件" in verify("--stream", "610326:2025-03-01")[0]
    assert "2 个流，2 条事件" in verify("--since", "2025-03-02")[0]
    assert "没有这个审计流" in verify("--stream", "610326:2024-01-01")[1]
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("audit", "verify", "--since", "2025/03/01")


@pytest.mark.django_db
def test_it_shows_an_objects_history(clerk, capsys):
    message = OutboxMessage.objects.create(channel="sms", recipient="13812345678", body="已受理")
    before = snapshot(message, ["state"])
    record(actor=clerk, action="outbox.created", obj=message, after=before)
    record(actor=None, action="outbox.sent", obj=message, before=before, after={"state": "sent"}, details={"try": 1})

    call_command("audit", "show", "--object", f"core.outboxmessage:{message.pk}")
    out = capsys.readouterr().out
    assert "王窗口  outbox.created" in out
    assert "系统  outbox.sent" in out
    assert "state: 'pending' → 'sent'" in out
    assert "共 2 条" in out
    with pytest.raises(CommandError, match="app_label.model:id"):
        call_command("audit", "show", "--object", "outboxmessage")


@pytest.mark.django_db
def test_it_appends_unlinked_and_the_sequencer_links_in_order(clerk):
    with transaction.atomic():
        first = audit_record(actor=clerk, action="case.accept", region_code="610326")
        second = audit_record(actor=clerk, action="case.reject", region_code="610326")
    stored = AuditEvent.objects.get(pk=first.pk)
    assert (stored.seq, stored.prev_hash, stored.hash) == (None, "", "")
    assert AuditStream.objects.get().last_seq == 0

    assert audit_seal() == 2
    assert audit_seal() == 0  # nothing left: a second run changes nothing
    first, second = AuditEvent.objects.order_by("id")
    stream = AuditStream.objects.get()
    assert (first.seq, second.seq) == (1, 2)
    assert (first.prev_hash, second.prev_hash) == (GENESIS_HASH, first.hash)
    assert (stream.last_seq, stream.last_hash) == (2, second.hash)
    third = record(region_code="610326")
    assert (third.seq, third.prev_hash) == (3, second.hash)
    assert audit_verify().ok


@pytest.mark.django_db
def test_it_lets_the_database_only_link_an_unlinked_event_once():
    with transaction.atomic():
        unlinked = audit_record(actor=None, action="case.accept", region_code="610326")
    # Content of an unlinked event: refused, even together with a link.
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE core_auditevent SET action = 'case.reject', seq = 1, prev_hash = %s, hash = %s WHERE id = %s",
            [GENESIS_HASH, "a" * 64, unlinked.pk],
        )
    audit_seal()
    linked = AuditEvent.objects.get(pk=unlinked.pk)
    assert linked.action == "case.accept" and linked.seq == 1
    # A linked event cannot be linked again (a forged chain) nor unlinked.
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET seq = 7, hash = %s WHERE id = %s", ["b" * 64, linked.pk])
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET seq = NULL, prev_hash = '', hash = '' WHERE id = %s", [linked.pk])
    assert AuditEvent.objects.get(pk=linked.pk).hash == linked.hash
    assert audit_verify().ok


@pytest.mark.django_db
def test_it_seals_from_the_command():
    from io import StringIO

    with transaction.atomic():
        audit_record(actor=None, action="case.accept", region_code="610326")
        audit_record(actor=None, action="case.accept", region_code="610327")
    out = StringIO()
    call_command("audit", "seal", stdout=out)
    assert "入链 2 条事件" in out.getvalue()
    assert not AuditEvent.objects.filter(seq__isnull=True).exists()


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_it_lets_two_intakes_of_the_same_county_append_without_waiting():
    record(region_code="610326")
    holding, release = threading.Event(), threading.Event()

    def hold_an_open_intake():
        try:
            with transaction.atomic():
                audit_record(actor=None, action="hotline.appeal_received", region_code="610326")
                holding.set()
                release.wait(10)
        finally:
            connection.close()

    worker = threading.Thread(target=hold_an_open_intake)
    worker.start()
    try:
        assert holding.wait(10)
        # The same county, the same day, while the other intake's transaction is open: no wait at all.
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '200ms'")
            audit_record(actor=None, action="hotline.appeal_received", region_code="610326")
            audit_record(actor=None, action="cases.case_submitted", region_code="610326")
        # The sequencer (here also run right after each commit, tasks being eager) links what committed
        # and leaves the open transaction's event for later.
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")
            audit_seal()
        assert sorted(AuditEvent.objects.values_list("seq", flat=True)) == [1, 2, 3]
    finally:
        release.set()
        worker.join()
    audit_seal()
    stream = AuditStream.objects.get(region_code="610326")
    assert stream.last_seq == 4
    assert sorted(AuditEvent.objects.values_list("seq", flat=True)) == [1, 2, 3, 4]
    assert audit_verify().ok
    # Tampering after the concurrent appends is still found.
    drop_update_trigger()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET actor_label = '张三' WHERE seq = 3")
    assert [p.kind for p in audit_verify().problems] == ["edited"]

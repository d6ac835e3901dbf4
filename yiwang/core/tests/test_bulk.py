"""``core.bulk.update_fields``: many rows' fields in a few statements, as ``save(update_fields=…)`` each."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from yiwang.core.bulk import update_fields
from yiwang.core.models import OutboxMessage


def messages(n: int) -> list[OutboxMessage]:
    return OutboxMessage.objects.bulk_create(
        OutboxMessage(channel=OutboxMessage.Channel.SMS, recipient=f"139{i:08d}", body=f"第{i}条") for i in range(n)
    )


def test_each_row_gets_its_own_values_and_the_others_are_left_alone(db):
    rows = messages(5)
    at = timezone.make_aware(dt.datetime(2026, 11, 30, 9, 30))
    for i, message in enumerate(rows[:4]):
        message.state = OutboxMessage.State.SENT if i % 2 else OutboxMessage.State.FAILED
        message.attempts = i + 1
        message.sent_at = at + dt.timedelta(minutes=i) if i % 2 else None
        message.last_error = "" if i % 2 else f"超时 {i}"
        message.body = "不写这一列"

    assert update_fields(rows[:4], ["state", "attempts", "sent_at", "last_error"]) == 4

    stored = {m.pk: m for m in OutboxMessage.objects.all()}
    for i, message in enumerate(rows[:4]):
        got = stored[message.pk]
        assert got.state == ("sent" if i % 2 else "failed")
        assert got.attempts == i + 1
        assert got.sent_at == (at + dt.timedelta(minutes=i) if i % 2 else None)
        assert got.last_error == ("" if i % 2 else f"超时 {i}")
        assert got.body == f"第{i}条"  # a field not named is not written
    untouched = stored[rows[4].pk]
    assert (untouched.state, untouched.attempts, untouched.sent_at) == ("pending", 0, None)


def test_the_statements_do_not_grow_with_the_rows(db):
    rows = messages(300)
    for message in rows:
        message.attempts = 7

    with CaptureQueriesContext(connection) as queries:
        update_fields(rows, ["attempts"])
        count = len(queries.captured_queries)

    assert count == 1  # one UPDATE … FROM (VALUES …) on PostgreSQL; one executemany on SQLite
    assert set(OutboxMessage.objects.values_list("attempts", flat=True)) == {7}


def test_nothing_to_write_writes_nothing(db):
    with CaptureQueriesContext(connection) as queries:
        assert update_fields([], ["attempts"]) == 0
    assert not queries.captured_queries

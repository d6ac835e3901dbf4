"""An audit event carries its stream's region code (the sharding key, docs/scale.md), written with the
event, never changed after, and filled for older events by the migration that added it."""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from yiwang.core.audit import AuditEntry, audit_record_many, audit_seal
from yiwang.core.models import AuditEvent, AuditStream

from .test_audit import Case, drop_update_trigger, record, verify

pytestmark = pytest.mark.django_db


def test_an_event_carries_its_streams_region_code():
    event = record(region_code="610326")
    national = record()
    assert event.region_code == event.stream.region_code == "610326"
    assert national.region_code == national.stream.region_code == "000000"


def test_events_recorded_together_carry_their_streams_region_codes():
    with transaction.atomic():
        audit_record_many(
            actor=None,
            action="case.accept",
            entries=[AuditEntry(obj=Case(1, region_code="610326")), AuditEntry(obj=Case(2, region_code="610327"))],
        )
    audit_seal()
    assert {(e.region_code, e.stream.region_code) for e in AuditEvent.objects.select_related("stream")} == {
        ("610326", "610326"),
        ("610327", "610327"),
    }
    assert verify()[0].startswith("审计链校验通过：2 个流，2 条事件")


def test_the_region_code_cannot_be_changed_in_the_database():
    event = record(region_code="610326")
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET region_code = '610327' WHERE id = %s", [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).region_code == "610326"


def _execute(sql, params=None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_the_migration_fills_older_events_from_their_stream():
    linked = record(region_code="610326")
    stream = AuditStream.objects.get(pk=linked.stream_id)
    # An event written before the column: no region code (inserting is allowed; changing is not).
    (older,) = AuditEvent.objects.bulk_create(
        [AuditEvent(stream=stream, occurred_at=timezone.now(), action="case.accept", region_code="")]
    )
    if connection.vendor == "sqlite":
        drop_update_trigger()  # on SQLite the migration's table rebuild has dropped the triggers
    else:
        _execute("SET CONSTRAINTS ALL IMMEDIATE")  # no insert's check pending, as in the migration
    migration = importlib.import_module("yiwang.core.migrations.0006_audit_event_region")

    migration.fill_from_the_stream(apps, SimpleNamespace(connection=connection, execute=_execute))

    assert AuditEvent.objects.get(pk=older.pk).region_code == "610326"
    if connection.vendor == "postgresql":  # the trigger held off for the fill is on again
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE core_auditevent SET region_code = '610327' WHERE id = %s", [linked.pk])

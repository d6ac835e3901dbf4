from types import SimpleNamespace

import pytest
from django.db import transaction

from yiwang.core.audit import AuditEntry, audit_record, audit_record_many, audit_seal, audit_verify
from yiwang.core.models import AuditEvent, AuditStream


class Item:
    """A stand-in saved object: what the audit log reads from a model instance."""

    _meta = SimpleNamespace(label_lower="catalog.serviceitem")

    def __init__(self, pk, region_code):
        self.pk = pk
        self.region_code = region_code

    def __str__(self) -> str:
        return f"事项 {self.pk}"


@pytest.mark.django_db
def test_it_chains_one_event_per_entry_after_the_streams_existing_events():
    with transaction.atomic():
        audit_record(actor=None, action="catalog.item.withdrawn", region_code="511602")
        events = audit_record_many(
            actor=None,
            action="catalog.item.published",
            entries=[
                AuditEntry(Item(1, "511602"), before={"status": "draft"}, after={"status": "published"}),
                AuditEntry(Item(2, "440000"), details={"version": 1}),
                AuditEntry(Item(3, "511602")),
            ],
        )
        audit_record(actor=None, action="catalog.import", region_code="511602")
    assert audit_seal() == 5
    events = [AuditEvent.objects.get(pk=e.pk) for e in events]

    assert [(e.object_id, e.seq) for e in events] == [("2", 1), ("1", 2), ("3", 3)]  # streams in key order
    stored = AuditEvent.objects.filter(stream__key__startswith="511602:").order_by("seq")
    assert [(e.seq, e.action, e.object_id) for e in stored] == [
        (1, "catalog.item.withdrawn", ""),
        (2, "catalog.item.published", "1"),
        (3, "catalog.item.published", "3"),
        (4, "catalog.import", ""),
    ]
    assert stored[1].before == {"status": "draft"} and stored[1].after == {"status": "published"}
    assert AuditEvent.objects.get(object_id="2").details == {"version": 1}
    assert sorted(AuditStream.objects.values_list("last_seq", flat=True)) == [1, 4]
    assert audit_verify().ok


@pytest.mark.django_db
def test_it_refuses_unsaved_objects():
    with transaction.atomic(), pytest.raises(ValueError):
        audit_record_many(actor=None, action="x", entries=[AuditEntry(Item(None, "511602"))])
    assert AuditEvent.objects.count() == 0

"""The stream id is read once per process, and an id whose row was rolled back is never used again."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from yiwang.core import audit
from yiwang.core.audit import audit_record, audit_seal, audit_verify
from yiwang.core.models import AuditEvent, AuditStream


class Refused(Exception):
    pass


def stream_statements(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if "core_auditstream" in q["sql"]]


@pytest.fixture(autouse=True)
def fresh_cache():
    audit._committed_streams.clear()
    yield
    audit._committed_streams.clear()


@pytest.mark.django_db
def test_it_reads_the_stream_once_within_a_transaction():
    with transaction.atomic():
        first = audit_record(actor=None, action="case.accept", region_code="610326")
        with CaptureQueriesContext(connection) as queries:
            second = audit_record(actor=None, action="case.accept", region_code="610326")

    assert stream_statements(queries) == []
    assert first.stream_id == second.stream_id == AuditStream.objects.get(key__startswith="610326:").pk


@pytest.mark.django_db
def test_it_does_not_keep_an_id_from_a_transaction_that_never_committed(django_capture_on_commit_callbacks):
    # The test's own transaction is never committed: callbacks run by hand inside it file nothing.
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        audit_record(actor=None, action="case.accept", region_code="610326")

    assert audit._committed_streams == {}


@pytest.mark.django_db
def test_it_reads_the_stream_again_after_a_savepoint_that_created_it_rolled_back():
    with transaction.atomic():
        with pytest.raises(Refused), transaction.atomic():
            gone = audit_record(actor=None, action="case.accept", region_code="610326")
            raise Refused
        assert not AuditStream.objects.filter(pk=gone.stream_id).exists()
        with CaptureQueriesContext(connection) as queries:
            kept = audit_record(actor=None, action="case.accept", region_code="610326")

    # Read and created again, not taken from the rolled-back savepoint (whose id SQLite may even reuse).
    assert stream_statements(queries)
    assert AuditStream.objects.get().pk == kept.stream_id
    assert AuditEvent.objects.get().stream_id == kept.stream_id


@pytest.mark.django_db(transaction=True)
def test_it_uses_a_committed_stream_without_reading_it_and_never_a_rolled_back_one():
    with pytest.raises(Refused), transaction.atomic():
        audit_record(actor=None, action="case.accept", region_code="610326")
        raise Refused
    assert audit._committed_streams == {}
    assert not AuditStream.objects.exists()

    with transaction.atomic():
        first = audit_record(actor=None, action="case.accept", region_code="610326")
    assert AuditStream.objects.get().pk == first.stream_id  # (SQLite may hand out the rolled-back id again)
    assert list(audit._committed_streams.values()) == [first.stream_id]

    with transaction.atomic(), CaptureQueriesContext(connection) as queries:  # not the sequencer after commit
        second = audit_record(actor=None, action="case.accept", region_code="610326")
    assert stream_statements(queries) == []
    assert second.stream_id == first.stream_id

    audit_seal()
    assert sorted(AuditEvent.objects.values_list("seq", flat=True)) == [1, 2]
    assert audit_verify().ok


@pytest.mark.django_db(transaction=True)
def test_it_forgets_the_ids_when_the_log_is_wiped():
    with transaction.atomic():
        audit_record(actor=None, action="case.accept", region_code="610326")
    assert audit._committed_streams

    with audit.audit_maintenance():
        pass

    assert audit._committed_streams == {}

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from yiwang.core.audit import AuditEvent, audit_record
from yiwang.core.management.commands import flush


def record() -> None:
    with transaction.atomic():
        audit_record(actor=None, action="case.accept", region_code="610326")


@pytest.fixture
def outside_tests(monkeypatch):
    monkeypatch.setattr(flush, "running_under_tests", lambda: False)


@pytest.mark.django_db(transaction=True)
def test_it_refuses_to_flush_outside_tests(outside_tests):
    record()
    with pytest.raises(CommandError, match="审计日志"):
        call_command("flush", interactive=False, verbosity=0)
    assert AuditEvent.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_it_refuses_the_wipe_flag_when_debug_is_off(outside_tests, settings):
    settings.DEBUG = False
    record()
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("flush", interactive=False, verbosity=0, allow_audit_wipe=True)
    assert AuditEvent.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_it_flushes_with_the_wipe_flag_in_development(outside_tests, settings):
    settings.DEBUG = True
    record()
    call_command("flush", interactive=False, verbosity=0, allow_audit_wipe=True)
    assert not AuditEvent.objects.exists()


def test_it_knows_it_runs_under_the_test_runner():
    assert flush.running_under_tests()


@pytest.mark.django_db(transaction=True)
def test_it_leaves_an_audit_event_for_the_test_runners_flush():
    # pytest-django empties this database after the test through the flush command
    # (TransactionTestCase._fixture_teardown); the next test starts from an empty log.
    record()
    assert AuditEvent.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_it_starts_after_the_test_runners_flush_with_an_empty_log():
    assert not AuditEvent.objects.exists()

"""``flush`` that may empty the audit table: the one sanctioned way to delete audit events.

The database refuses DELETE/TRUNCATE on core_auditevent (migration 0002); wiping a whole database
— including the test suite's flush between transactional tests — runs under audit maintenance.
"""

from django.core.management.commands import flush

from yiwang.core.audit import audit_maintenance


class Command(flush.Command):
    def handle(self, **options):
        with audit_maintenance(using=options["database"]):
            return super().handle(**options)

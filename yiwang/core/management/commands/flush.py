"""``flush`` that may empty the audit table, and only where that cannot destroy evidence.

The audit log is append-only: the database refuses DELETE/TRUNCATE on core_auditevent (migration
0002) except under audit maintenance, and this command is the one sanctioned way to lift it.

- Under the test runner (Django's ``setup_test_environment``, which pytest-django and
  ``manage.py test`` call before any test) it runs as Django's flush: transactional tests and
  ``live_server`` empty their database between tests through it.
- Elsewhere it refuses, unless ``--allow-audit-wipe`` is given, and that flag itself is refused
  when DEBUG is off: a production database's audit log cannot be wiped from the command line.
"""

from django.conf import settings
from django.core.management.base import CommandError
from django.core.management.commands import flush
from django.test.utils import _TestState

from yiwang.core.audit import audit_maintenance


def running_under_tests() -> bool:
    # Set by django.test.utils.setup_test_environment, removed by teardown_test_environment.
    return hasattr(_TestState, "saved_data")


class Command(flush.Command):
    help = "清空数据库（含审计日志）：仅限测试环境，或开发环境下显式指定 --allow-audit-wipe。"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--allow-audit-wipe",
            action="store_true",
            help="开发环境（DEBUG 开启）下确认清空包括审计日志在内的全部数据；DEBUG 关闭时不可用。",
        )

    def handle(self, **options):
        if not running_under_tests():
            if not options.get("allow_audit_wipe"):
                raise CommandError(
                    "flush 会删除只可追加的审计日志，已拒绝。仅在测试中可用；"
                    "开发环境如确需清空，请加 --allow-audit-wipe（DEBUG 关闭时不可用）。"
                )
            if not settings.DEBUG:
                raise CommandError("DEBUG 关闭（生产环境）时不允许清空审计日志：--allow-audit-wipe 被拒绝。")
        with audit_maintenance(using=options["database"]):
            return super().handle(**options)

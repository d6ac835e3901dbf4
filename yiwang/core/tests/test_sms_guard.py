import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured

from yiwang.core.sms import ConsoleSmsBackend, FileSmsBackend, get_sms_backend

PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "production-like-secret-key-for-the-settings-test-0123456789abcdef",
    "PII_KEY": "00112233445566778899aabbccddeeff0123456789abcdeffedcba9876543210",
    "ALLOWED_HOSTS": "yiwang.example.cn",
}


def load_production_settings(**env) -> subprocess.CompletedProcess:
    """Import config.settings in a fresh interpreter, as a production process starts."""
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SMS_BACKEND", "SMS_CONSOLE_ALLOWED"}}
    code = "import config.settings as s; print(s.SMS_BACKEND)"
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, **PRODUCTION_ENV, **env},
        cwd=django_settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_it_refuses_the_console_backend_in_production_settings():
    result = load_production_settings(SMS_BACKEND="console")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "SMS_BACKEND" in result.stderr


def test_it_defaults_production_to_the_file_backend():
    result = load_production_settings()
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "file"


def test_it_allows_the_console_backend_in_production_only_when_opted_in():
    result = load_production_settings(SMS_BACKEND="console", SMS_CONSOLE_ALLOWED="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "console"


def test_it_refuses_the_console_backend_at_send_time_when_debug_is_off(settings):
    settings.DEBUG = False
    settings.SMS_BACKEND = "console"
    settings.SMS_CONSOLE_ALLOWED = False
    with pytest.raises(ImproperlyConfigured, match="SMS_BACKEND"):
        get_sms_backend()
    settings.SMS_CONSOLE_ALLOWED = True
    assert isinstance(get_sms_backend(), ConsoleSmsBackend)


def test_it_masks_the_number_on_the_console(capsys):
    ConsoleSmsBackend().send(phone="13812345678", body="您的办件已受理")
    out = capsys.readouterr().out
    assert out == "[短信] 138****5678: 您的办件已受理\n"


def test_it_writes_the_sms_file_for_the_owner_only(tmp_path):
    FileSmsBackend(tmp_path).send(phone="13812345678", body="您的办件已受理")
    assert (tmp_path / "sms.jsonl").stat().st_mode & 0o077 == 0

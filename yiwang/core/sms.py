"""The SMS gateway as an interface. ``settings.SMS_BACKEND`` picks the implementation:

- ``console`` writes each message to standard output (development);
- ``file`` appends one JSON line per message to ``MEDIA_ROOT/outbox/sms.jsonl`` (demo; the
  folder holds phone numbers in clear and must not be served);
- ``locmem`` keeps messages in ``LocmemSmsBackend.outbox`` (tests);
- a dotted path names any class with ``send(*, phone, body)``, e.g. a provider's gateway.

A backend raises ``SmsDeliveryError`` (or any exception) when the gateway refuses a message; the
outbox counts the attempt and retries later.
"""

import json
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.module_loading import import_string


class SmsDeliveryError(Exception):
    """The gateway did not accept the message."""


class SmsBackend(Protocol):
    def send(self, *, phone: str, body: str) -> None: ...


@dataclass(frozen=True)
class SentSms:
    phone: str
    body: str


class ConsoleSmsBackend:
    def send(self, *, phone: str, body: str) -> None:
        sys.stdout.write(f"[短信] {phone}: {body}\n")
        sys.stdout.flush()


class FileSmsBackend:
    _lock = threading.Lock()

    def __init__(self, directory: Path | None = None):
        self.path = Path(directory or Path(settings.MEDIA_ROOT) / "outbox") / "sms.jsonl"

    def send(self, *, phone: str, body: str) -> None:
        line = json.dumps({"at": timezone.now().isoformat(), "phone": phone, "body": body}, ensure_ascii=False)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock, self.path.open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")


class LocmemSmsBackend:
    outbox: ClassVar[list[SentSms]] = []

    def send(self, *, phone: str, body: str) -> None:
        self.outbox.append(SentSms(phone=phone, body=body))


BACKENDS = {"console": ConsoleSmsBackend, "file": FileSmsBackend, "locmem": LocmemSmsBackend}


def get_sms_backend() -> SmsBackend:
    name = getattr(settings, "SMS_BACKEND", "console") or "console"
    if name in BACKENDS:
        return BACKENDS[name]()
    try:
        return import_string(name)()
    except ImportError as exc:
        raise ImproperlyConfigured(
            f"SMS_BACKEND={name!r}: use console, file, locmem or a dotted class path ({exc})"
        ) from None

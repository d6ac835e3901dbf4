"""The SMS gateway as an interface. ``settings.SMS_BACKEND`` picks the implementation:

- ``console`` writes each message to standard output with the numbers masked (development). With
  DEBUG off it is refused — at start in the settings module and again here — unless
  ``SMS_CONSOLE_ALLOWED`` is set: a production log must not become a list of citizens' messages;
- ``file`` appends one JSON line per message to ``MEDIA_ROOT/outbox/sms.jsonl`` (demo; the
  folder holds phone numbers in clear and must not be served);
- ``locmem`` keeps messages in ``LocmemSmsBackend.outbox`` (tests);
- a dotted path names any class with ``send(*, phone, body)``, e.g. a provider's gateway.

A backend raises ``SmsDeliveryError`` (or any exception) when the gateway refuses a message; the
outbox counts the attempt and retries later.
"""

import json
import os
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.module_loading import import_string

from yiwang.core.pii import mask_phone, mask_text


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
        # The body may quote a number the citizen typed (a reply, an appeal's text): masked too.
        sys.stdout.write(f"[短信] {mask_phone(phone)}: {mask_text(body)}\n")
        sys.stdout.flush()


def console_backend_refusal(*, backend: str, debug: bool, console_allowed: bool) -> str | None:
    """Why ``backend`` may not run with these settings, or None. Read at start and at send time."""
    if backend == "console" and not debug and not console_allowed:
        return (
            "SMS_BACKEND=console prints every SMS to standard output and is refused when DEBUG is off; "
            "choose file or a gateway class, or set SMS_CONSOLE_ALLOWED=1 to allow it deliberately"
        )
    return None


class FileSmsBackend:
    _lock = threading.Lock()

    def __init__(self, directory: Path | None = None):
        self.path = Path(directory or Path(settings.MEDIA_ROOT) / "outbox") / "sms.jsonl"

    def send(self, *, phone: str, body: str) -> None:
        line = json.dumps({"at": timezone.now().isoformat(), "phone": phone, "body": body}, ensure_ascii=False)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock:
            # Readable by the service account only: the file holds phone numbers in clear.
            descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            with open(descriptor, "a", encoding="utf-8") as handle:
                handle.write(line + "\n")


class LocmemSmsBackend:
    outbox: ClassVar[list[SentSms]] = []

    def send(self, *, phone: str, body: str) -> None:
        self.outbox.append(SentSms(phone=phone, body=body))


BACKENDS = {"console": ConsoleSmsBackend, "file": FileSmsBackend, "locmem": LocmemSmsBackend}


def get_sms_backend() -> SmsBackend:
    name = getattr(settings, "SMS_BACKEND", "console") or "console"
    refusal = console_backend_refusal(
        backend=name, debug=settings.DEBUG, console_allowed=getattr(settings, "SMS_CONSOLE_ALLOWED", False)
    )
    if refusal:
        raise ImproperlyConfigured(refusal)
    if name in BACKENDS:
        return BACKENDS[name]()
    try:
        return import_string(name)()
    except ImportError as exc:
        raise ImproperlyConfigured(
            f"SMS_BACKEND={name!r}: use console, file, locmem or a dotted class path ({exc})"
        ) from None

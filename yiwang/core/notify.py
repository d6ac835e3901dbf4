"""One notifier: typed recipients, registered message templates, in-app inbox rows and SMS outbox rows.

    from yiwang.core.notify import ToDepartment, ToPhone, ToUser, notify

    notify(
        to=[ToPhone(case.applicant_phone), ToUser(case.applicant_user_id)],
        template="cases.accepted",
        context={"number": case.number, "title": case.title},
        key=f"case:{case.pk}:accepted",
        link=f"/cases/{case.pk}/",
    )

Rules:

- ``notify`` writes inside the caller's transaction: an ``InboxMessage`` per user and an outbox row
  per phone. Nothing leaves the building before the caller commits; a rollback leaves no trace.
- ``key`` makes a notification idempotent per recipient: a retried call with the same key writes
  nothing twice (a user holds one inbox row per key; a phone one outbox row per key).
- Queue recipients (``ToDepartment``, ``ToRegionQueue``) fan out to users through the resolver org
  registers (``register_queue_resolver``), since core knows nothing of memberships.
- Texts come from templates each app registers once (its ``messages.py``, imported in its
  ``AppConfig.ready``), filled with ``str.format``. ``{sign}``, ``{hotline_sign}`` and ``{county}``
  come from settings (``YIWANG_NOTIFY``, ``YIWANG_COUNTY_NAME``), so no module spells the county's
  name. An unknown template or a missing placeholder raises ``KeyError`` naming it.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from yiwang.core.conf import app_settings
from yiwang.core.models import InboxMessage, OutboxMessage
from yiwang.core.outbox import outbox_enqueue_once
from yiwang.core.pii import normalize_for_lookup, pii_lookup_hash

# County defaults: the signatures SMS gateways require (短信签名), derived from the county's name.
NOTIFY = app_settings(
    "YIWANG_NOTIFY",
    {
        "SIGN": "{county}政务服务",  # 【…】 of service messages
        "HOTLINE_SIGN": "{county}12345",  # 【…】 of 12345 hotline messages
        "EMAIL_SUBJECT": "{county}政务服务通知",
    },
)
DEFAULT_COUNTY_NAME = "眉县"
MAX_KEY_LENGTH = 150  # leaves room in the outbox's 200-character dedupe key for the channel suffix


# --- Recipients ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ToUser:
    """One signed-up user: an in-app message."""

    user_id: int


@dataclass(frozen=True)
class ToDepartment:
    """A department's work queue: every active user holding one of ``roles`` in the department."""

    department_id: int
    roles: tuple[str, ...] = ("handler",)


@dataclass(frozen=True)
class ToRegionQueue:
    """A region's queue for one role, e.g. the county's 12345 dispatchers or a town's intake clerks."""

    region_code: str
    role: str


@dataclass(frozen=True)
class ToPhone:
    """A mobile number: an SMS through the outbox."""

    phone: str


Recipient = ToUser | ToDepartment | ToRegionQueue | ToPhone
QueueResolver = Callable[[ToDepartment | ToRegionQueue], Iterable[int]]

_queue_resolver: QueueResolver | None = None


def register_queue_resolver(resolver: QueueResolver) -> None:
    """Install how queue recipients become user ids (org does this in its ``AppConfig.ready``)."""
    global _queue_resolver
    _queue_resolver = resolver


def resolve_user_ids(recipients: Iterable[Recipient]) -> list[int]:
    """The distinct user ids the in-app recipients stand for, in ascending order."""
    user_ids: set[int] = set()
    for recipient in recipients:
        if isinstance(recipient, ToUser):
            if recipient.user_id:
                user_ids.add(int(recipient.user_id))
        elif isinstance(recipient, ToDepartment | ToRegionQueue):
            if _queue_resolver is None:
                raise ImproperlyConfigured(
                    f"no queue resolver registered for {recipient!r}; yiwang.org registers one when it is installed"
                )
            user_ids.update(int(user_id) for user_id in _queue_resolver(recipient))
    return sorted(user_ids)


# --- Templates -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MessageTemplate:
    """The texts of one kind of message: ``title``/``body`` for the inbox, ``sms`` for phones.

    Each is a ``str.format`` string; ``{sign}``, ``{hotline_sign}`` and ``{county}`` are always
    available. A template without ``sms`` cannot be sent to a phone.
    """

    title: str
    body: str = ""
    sms: str = ""

    def placeholders(self) -> set[str]:
        names = set()
        for text in (self.title, self.body, self.sms):
            for _, field, _, _ in string.Formatter().parse(text):
                if field:
                    names.add(field.split(".")[0].split("[")[0])
        return names


_templates: dict[str, MessageTemplate] = {}


def register_templates(templates: Mapping[str, MessageTemplate]) -> None:
    """Register message templates by dotted name (``"cases.accepted"``).

    Registering the same name again with the same texts is harmless (a re-imported module); with
    different texts it is a mistake and refused.
    """
    for name, template in templates.items():
        if not isinstance(template, MessageTemplate):
            raise TypeError(f"message template {name!r} must be a MessageTemplate")
        existing = _templates.get(name)
        if existing is not None and existing != template:
            raise ImproperlyConfigured(f"message template {name!r} is already registered with other texts")
        _templates[name] = template


def get_template(name: str) -> MessageTemplate:
    try:
        return _templates[name]
    except KeyError:
        raise KeyError(f"unknown message template {name!r}; register it with register_templates()") from None


def county_name() -> str:
    return str(getattr(settings, "YIWANG_COUNTY_NAME", DEFAULT_COUNTY_NAME))


def standard_context() -> dict[str, str]:
    """What every template may use: the county's name and the SMS signatures."""
    county = county_name()
    return {
        "county": county,
        "sign": NOTIFY.get("SIGN").format(county=county),
        "hotline_sign": NOTIFY.get("HOTLINE_SIGN").format(county=county),
    }


def email_subject() -> str:
    return NOTIFY.get("EMAIL_SUBJECT").format(county=county_name())


def _fill(name: str, part: str, text: str, context: Mapping) -> str:
    try:
        return text.format_map(context)
    except KeyError as exc:
        raise KeyError(f"message template {name!r} ({part}) needs placeholder {exc.args[0]!r}") from None


@dataclass(frozen=True)
class RenderedMessage:
    title: str
    body: str
    sms: str


def render(template: str, context: Mapping | None = None) -> RenderedMessage:
    """Fill every text of a template; ``KeyError`` names an unknown template or a missing placeholder."""
    message = get_template(template)
    values = {**standard_context(), **(context or {})}
    return RenderedMessage(
        title=_fill(template, "title", message.title, values),
        body=_fill(template, "body", message.body, values),
        sms=_fill(template, "sms", message.sms, values),
    )


# --- Sending -------------------------------------------------------------------------------------


def _as_list(to) -> list[Recipient]:
    if isinstance(to, ToUser | ToDepartment | ToRegionQueue | ToPhone):
        return [to]
    recipients = list(to)
    for recipient in recipients:
        if not isinstance(recipient, ToUser | ToDepartment | ToRegionQueue | ToPhone):
            raise TypeError(f"not a notification recipient: {recipient!r}")
    return recipients


def notify(
    *,
    to: Recipient | Iterable[Recipient],
    template: str,
    context: Mapping | None = None,
    key: str,
    link: str = "",
    region_code: str = "",
) -> int:
    """Write one notification to every recipient in the caller's transaction; return rows written.

    Users (direct or through a queue) get an ``InboxMessage`` with the template's title and body;
    phones get an SMS outbox row with its ``sms`` text. ``key`` (e.g. ``f"case:{case.pk}:accepted"``)
    is unique per recipient: calling again with the same key writes only for recipients that have
    nothing under it yet. Empty phones and users are skipped (an applicant without an account).
    ``region_code`` (the region of the case or appeal) goes on the SMS outbox rows: the sharding key.
    """
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ValueError(f"a notification key is required and at most {MAX_KEY_LENGTH} characters: {key!r}")
    if link and (not link.startswith("/") or link.startswith("//")):
        raise ValueError(f"a notification link is a path on this site (starts with one '/'): {link!r}")
    recipients = _as_list(to)
    rendered = render(template, context)  # fails before anything is written
    phones = sorted({normalize_for_lookup(r.phone) for r in recipients if isinstance(r, ToPhone) and r.phone})
    if phones and not rendered.sms:
        raise KeyError(f"message template {template!r} has no sms text but is sent to a phone")

    written = 0
    # All or nothing with the caller's change; no savepoint of its own (nothing here is retried).
    with transaction.atomic(savepoint=False):
        user_ids = resolve_user_ids(recipients)
        if user_ids:
            done = set(InboxMessage.objects.filter(key=key, user_id__in=user_ids).values_list("user_id", flat=True))
            rows = [
                InboxMessage(
                    user_id=user_id, title=rendered.title, body=rendered.body, link=link, template=template, key=key
                )
                for user_id in user_ids
                if user_id not in done
            ]
            # ignore_conflicts: a concurrent call with the same key may have written some already.
            InboxMessage.objects.bulk_create(rows, ignore_conflicts=True)
            written += len(rows)
        for phone in phones:
            # The dedupe key is stored in clear: it carries the phone's keyed hash, never the number.
            dedupe_key = f"{key}:sms:{pii_lookup_hash(phone)[:16]}"
            _, created = outbox_enqueue_once(
                channel=OutboxMessage.Channel.SMS,
                recipient=phone,
                body=rendered.sms,
                dedupe_key=dedupe_key,
                region_code=region_code,
            )
            written += created
    return written

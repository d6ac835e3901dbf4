"""Writes of core's own tables that people make: reading in-app messages.

Messages are written by ``yiwang.core.notify.notify``; here their owner marks them read.
"""

from django.db import transaction
from django.utils import timezone

from yiwang.core.audit import audit_record
from yiwang.core.errors import ApplicationError
from yiwang.core.models import InboxMessage


def _require_user(actor) -> None:
    if not getattr(actor, "is_authenticated", False) or actor.pk is None:
        raise ApplicationError("inbox.login_required", "请先登录", status=403)


def inbox_mark_read(*, message: InboxMessage, actor) -> InboxMessage:
    """Mark one of the actor's own messages read; another user's message is refused (404, not 403,
    so the existence of other people's messages is not revealed). Reading twice changes nothing."""
    _require_user(actor)
    with transaction.atomic():
        locked = InboxMessage.objects.select_for_update().filter(pk=message.pk).first()
        if locked is None or locked.user_id != actor.pk:
            raise ApplicationError("inbox.not_found", "消息不存在或不属于您", status=404)
        if locked.read_at is None:
            locked.read_at = timezone.now()
            locked.save(update_fields=["read_at"])
            audit_record(
                actor=actor,
                action="inbox.read",
                obj=locked,
                before={"read_at": None},
                after={"read_at": locked.read_at.isoformat()},
                details={"template": locked.template},
            )
    return locked


def inbox_mark_all_read(*, actor) -> int:
    """Mark every unread message of the actor read; one audit event with the count. Returns the count."""
    _require_user(actor)
    with transaction.atomic():
        now = timezone.now()
        unread = InboxMessage.objects.select_for_update().filter(user_id=actor.pk, read_at__isnull=True)
        ids = list(unread.values_list("pk", flat=True))
        if not ids:
            return 0
        InboxMessage.objects.filter(pk__in=ids).update(read_at=now)
        audit_record(
            actor=actor,
            action="inbox.read_all",
            details={"count": len(ids), "first_id": min(ids), "last_id": max(ids)},
        )
    return len(ids)

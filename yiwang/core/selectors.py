"""Reads of core's own tables: the in-app inbox."""

from django.db.models import QuerySet

from yiwang.core.errors import ApplicationError
from yiwang.core.models import InboxMessage


def inbox_for(user, *, unread_only: bool = False) -> QuerySet[InboxMessage]:
    """A user's own messages, newest first; nobody reads another user's inbox."""
    if not getattr(user, "is_authenticated", False):
        return InboxMessage.objects.none()
    messages = InboxMessage.objects.filter(user_id=user.pk)
    if unread_only:
        messages = messages.filter(read_at__isnull=True)
    return messages.order_by("-created_at", "-id")


def inbox_unread_count(user) -> int:
    """One indexed COUNT over (user, read_at): the navbar bell's number."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return InboxMessage.objects.filter(user_id=user.pk, read_at__isnull=True).count()


def inbox_message_get(*, user, message_id: int) -> InboxMessage:
    """One of the user's own messages; another user's message is answered as not found."""
    message = inbox_for(user).filter(pk=message_id).first()
    if message is None:
        raise ApplicationError("inbox.not_found", "消息不存在或不属于您", status=404)
    return message

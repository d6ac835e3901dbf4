from django.utils.functional import SimpleLazyObject

from yiwang.core.selectors import inbox_unread_count


def inbox(request):
    """The navbar bell's unread count: one COUNT query, run only when a template shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"inbox_unread": 0}
    return {"inbox_unread": SimpleLazyObject(lambda: inbox_unread_count(user))}

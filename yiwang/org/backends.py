"""An authentication backend that applies the lockout to every ``authenticate()`` caller.

The sign-in page calls ``services.user_authenticate`` itself (it needs the reason to show);
with this backend in settings.AUTHENTICATION_BACKENDS, anything else that authenticates
(``manage.py`` tools, third-party views) is held to the same lockout and audit.
"""

from django.contrib.auth.backends import ModelBackend

from yiwang.core.errors import ApplicationError
from yiwang.org.models import User
from yiwang.org.services import user_authenticate


class LockoutModelBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        username = username if username is not None else kwargs.get(User.USERNAME_FIELD)
        if username is None or password is None:
            return None
        ip = request.META.get("REMOTE_ADDR") if request is not None else None
        try:
            user = user_authenticate(username=username, password=password, ip=ip)
        except ApplicationError:
            return None
        return user if self.user_can_authenticate(user) else None

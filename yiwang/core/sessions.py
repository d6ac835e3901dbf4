"""Sessions without a write per API call.

Sessions slide (``SESSION_SAVE_EVERY_REQUEST``: 等保 level 3 ends a session after 30 idle minutes), which
costs a database write and a commit on every request. A page keeps that. An API call (under ``/api/``)
saves the session only when it changed it or when the last save is older than
``SESSION_API_REFRESH_SECONDS`` (county default 60 s): the idle limit then counts from at most that
long before the last call, never longer than the limit itself. Every save stamps the time in the
session (``_refreshed``), which is how the next API call knows.
"""

import time

from django.conf import settings
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.utils.cache import patch_vary_headers

from yiwang.core.middleware import wants_json

REFRESHED_KEY = "_refreshed"
API_REFRESH_SECONDS = 60  # county default: the plan and 等保 give no number for this


def api_refresh_seconds() -> int:
    return int(getattr(settings, "SESSION_API_REFRESH_SECONDS", API_REFRESH_SECONDS))


class SessionMiddleware(DjangoSessionMiddleware):
    def process_response(self, request, response):
        session = getattr(request, "session", None)
        if session is None:
            return super().process_response(request, response)
        if wants_json(request) and not session.accessed:
            return response  # an API call that never read the session (no login needed) leaves it alone
        # Loads the stored session (already loaded when authentication read it); a stale cookie
        # leaves it empty, and an empty session is never written.
        if not set(session.keys()) - {REFRESHED_KEY}:
            return super().process_response(request, response)
        now = int(time.time())
        if wants_json(request) and not session.modified:
            refreshed = session.get(REFRESHED_KEY)
            if isinstance(refreshed, int) and 0 <= now - refreshed < api_refresh_seconds():
                patch_vary_headers(response, ("Cookie",))
                return response
        if session.modified or settings.SESSION_SAVE_EVERY_REQUEST:
            session[REFRESHED_KEY] = now
        return super().process_response(request, response)

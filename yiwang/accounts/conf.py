"""County defaults of applicant sign-in (the plan gives no numbers): ``YIWANG_ACCOUNTS`` in settings."""

from yiwang.core.conf import app_settings

accounts_settings = app_settings(
    "YIWANG_ACCOUNTS",
    {
        "CODE_LENGTH": 6,  # digits of the one-time SMS code
        "CODE_TTL_MINUTES": 5,  # a code expires this many minutes after it was sent (县级默认)
        "CODE_MAX_ATTEMPTS": 5,  # wrong tries before a code is void (县级默认)
        "RESEND_SECONDS": 60,  # a new code for the same number no sooner than this (县级默认)
    },
)

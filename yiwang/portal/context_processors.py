from django.conf import settings
from django.utils.translation import gettext_lazy as _

ELDER_COOKIE = "elder_mode"


# Seconds without a touch after which a kiosk page returns to its start screen (县级默认值).
KIOSK_IDLE_SECONDS = 90


def _kiosk_mode(request) -> bool:
    match = getattr(request, "resolver_match", None)
    return bool(match and match.namespace == "cases" and (match.url_name or "").startswith("kiosk"))


def ui(request):
    """Flags every page template needs: elder mode (长辈版), kiosk mode (the self-service terminal
    shows no site navigation, staff login, API or language links and returns to its start screen
    after ``YIWANG_KIOSK_IDLE_SECONDS`` idle), whether the language switch is offered (English is not
    complete on every page, PDF and admin section, so it is hidden unless ``YIWANG_LANGUAGE_SWITCH``),
    and the product name."""
    return {
        "elder_mode": request.COOKIES.get(ELDER_COOKIE) == "1",
        "kiosk_mode": _kiosk_mode(request),
        "kiosk_idle_seconds": getattr(settings, "YIWANG_KIOSK_IDLE_SECONDS", KIOSK_IDLE_SECONDS),
        "language_switch": getattr(settings, "YIWANG_LANGUAGE_SWITCH", False),
        "product_name": _("一网"),
        "county_name": getattr(settings, "YIWANG_COUNTY_NAME", _("眉县")),
    }

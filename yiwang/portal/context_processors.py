from django.conf import settings
from django.utils.translation import gettext_lazy as _

ELDER_COOKIE = "elder_mode"


def ui(request):
    """Flags every page template needs: elder mode (长辈版) and the product name."""
    return {
        "elder_mode": request.COOKIES.get(ELDER_COOKIE) == "1",
        "product_name": _("一网"),
        "county_name": getattr(settings, "YIWANG_COUNTY_NAME", _("眉县")),
    }

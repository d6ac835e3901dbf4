"""Configuration of the e-licence app: ``settings.YIWANG_LICENCES = {...}`` overrides any key below.

The plan (四(二) 推进电子证照应用) sets no numbers for e-licences; each number here is a county
default (县级默认值) and pages that show it say so.
"""

from yiwang.core.conf import app_settings

DEFAULTS = {
    # 县级默认值: a licence whose type gives no validity and whose issuer gives no date is valid this
    # many years (calendar years: a licence's validity is a legal term, not a handling deadline).
    # None = 长期有效.
    "DEFAULT_VALIDITY_YEARS": None,
    # 县级默认值: the holder's page warns this many calendar days before a licence expires.
    "EXPIRY_WARNING_DAYS": 30,
    # Issue the e-licence in the decision's transaction when a case is approved (同步生成).
    "ISSUE_ON_APPROVAL": True,
    # Length of the check code printed in the QR URL (hex characters of SM3(signature)).
    "QR_CHECK_LENGTH": 16,
}

LICENCES = app_settings("YIWANG_LICENCES", DEFAULTS)


def licences_setting(name: str):
    return LICENCES.get(name)

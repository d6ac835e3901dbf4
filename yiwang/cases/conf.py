"""Configuration of the applications app: the law's and the plan's numbers, overridable in settings.

``settings.YIWANG_CASES = {"PLEDGE_VERIFICATION_DAYS": 30, ...}`` overrides any key below; an unknown
key is refused so a typo never silently keeps the default.
"""

from yiwang.core.conf import app_settings

DEFAULT_CHAIN = [
    # 受理 → 审查 → 审核 → 审批 (审批服务标准化): who acts and what share of the promised days each step has.
    {"name": "受理", "role": "clerk", "share": 0.1},
    {"name": "审查", "role": "handler", "share": 0.4},
    {"name": "审核", "role": "handler", "share": 0.3},
    {"name": "审批", "role": "handler", "share": 0.2},
]

DEFAULTS = {
    # 行政许可法 Art. 32: a clerk decides on acceptance (or issues the one-time correction notice)
    # on the spot or within 5 days.
    "INTAKE_DAYS": 5,
    # 容缺受理: working days the applicant has to supply deferred materials.
    "DEFERRED_DAYS": 10,
    # 告知承诺: working days the department has for the post-approval verification (事中事后核查).
    "PLEDGE_VERIFICATION_DAYS": 20,
    # 行政许可法 Art. 42: +10 working days with the approval of the agency's head, once.
    "EXTENSION_DAYS": 10,
    # 行政许可法 Art. 44: the document is delivered within 10 working days of the decision.
    "DELIVERY_DAYS": 10,
    # Uploads: PDF and images only, 10 MB each.
    "UPLOAD_MAX_BYTES": 10 * 1024 * 1024,
    "UPLOAD_TYPES": ("pdf", "jpg", "png"),
    "DEFAULT_CHAIN": DEFAULT_CHAIN,
    # Pluggable hooks (dotted paths); the defaults find no licence, allow every credit class and
    # print receipts to files under MEDIA_ROOT.
    "LICENCE_LOOKUP": "yiwang.licences.lookup.RegisterLicenceLookup",
    "LICENCE_ISSUER": "yiwang.policies.integrated.IntegratedLicenceIssuer",  # the register's, plus 一业一证
    "CREDIT_POLICY": "yiwang.credit.policy.RiskClassCreditPolicy",
    "RECEIPT_PRINTER": "yiwang.cases.printing.FileReceiptPrinter",
    # 企业开办 target: done within 1 working day (plan 三、2).
    "ENTERPRISE_OPENING_BUNDLE": "qiye-kaiban",
    "ENTERPRISE_OPENING_TARGET_DAYS": 1,
    # Kiosk identification expires after this many idle seconds (a shared terminal).
    "KIOSK_IDLE_SECONDS": 180,
    # Kiosk pages serve only the registered self-service terminals of the halls (by REMOTE_ADDR):
    # a shared session keyed by an ID card must never be reachable from an arbitrary browser.
    "KIOSK_ALLOWED_IPS": ["127.0.0.1", "::1"],
}


CASES = app_settings("YIWANG_CASES", DEFAULTS)


def cases_setting(name: str):
    """The effective value of one ``YIWANG_CASES`` setting (its default unless overridden)."""
    return CASES.get(name)


def kiosk_allowed(request) -> bool:
    """Whether the request comes from a registered kiosk terminal (``KIOSK_ALLOWED_IPS``)."""
    return request.META.get("REMOTE_ADDR", "") in set(cases_setting("KIOSK_ALLOWED_IPS"))

"""Settings of the random inspections (``settings.YIWANG_INSPECTIONS``), with their sources.

Plan 四(十七)1(1) asks that the ratio and frequency of 双随机、一公开 inspections follow the entity's
credit risk class, but gives no numbers: every number here is a county default (县级默认值) and is
labelled so wherever it is shown.
"""

from yiwang.core.conf import app_settings

DEFAULTS = {
    # 县级默认值: share of each risk class's pool drawn per plan, in basis points (1/100 of a percent),
    # so the count rule ceil(ratio × pool) is exact integer arithmetic: A 3 %, B 5 %, C 20 %, D 100 %.
    "RATIO_BP": {"A": 300, "B": 500, "C": 2000, "D": 10000},
    # 县级默认值: how many times a year an entity of each class should be drawn (plans per year).
    "FREQUENCY_PER_YEAR": {"A": 1, "B": 1, "C": 2, "D": 4},
    # 县级默认值: inspectors per inspected entity (DESIGN: at least 2, from the roster).
    "INSPECTORS_PER_ENTITY": 2,
    # 县级默认值: results are made public within 20 working days of the inspection (DESIGN, glossary).
    "PUBLISH_WORKDAYS": 20,
    # 县级默认值: an inspector who inspected an entity within this many days is recused from it (回避).
    "RECUSAL_WINDOW_DAYS": 365,
    # Reminder of the publication deadline this many working days before the due day.
    "REMINDER_LEAD_WORKDAYS": 3,
}

inspections_settings = app_settings("YIWANG_INSPECTIONS", DEFAULTS)


def conf(key: str):
    return inspections_settings.get(key)


COUNTY_DEFAULT_LABEL = "县级默认值"

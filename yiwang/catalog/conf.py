"""Configuration of the catalog: the plan's catalog targets, overridable with
``settings.YIWANG_CATALOG_TARGETS``.

    YIWANG_CATALOG_TARGETS = {"online_rate": 0.7}   # in the settings module

An unknown key is refused (``ImproperlyConfigured``), so a typo never silently keeps the default.
"""

from yiwang.core.conf import app_settings

TARGET_DEFAULTS = {
    # 二、（一）(2): 2021年全县政务服务事项网上可办率达到60%以上.
    "online_rate": 0.60,
    # 四、（一）2: 取消审批、改为备案或实行告知承诺的事项达到106项以上.
    "reform_items": 106,
    # 三、1: 梳理公布镇（街）服务中心75项、村（社区）便民服务站办理事项清单指南52项 — measured per town
    # and per village on the items each one offers (its own and those of the areas above it).
    "town_list_items": 75,
    "village_list_items": 52,
    # The plan sets no number for the zero-visit share; it is shown without a target unless configured.
    "zero_visit_share": None,
    # 三、2 asks to 扩大即办事项范围 (widen the instant items) without a number: 县级默认 150 items, about a
    # third of a county list such as Meixian's; pages label it as the county default.
    "instant_items": 150,
}

TARGETS = app_settings("YIWANG_CATALOG_TARGETS", TARGET_DEFAULTS)


def catalog_targets_config() -> dict:
    """The effective catalog targets (defaults overridden by ``settings.YIWANG_CATALOG_TARGETS``)."""
    return TARGETS.as_dict()

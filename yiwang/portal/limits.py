"""Every limit and target the platform enforces, with where its number comes from.

Three kinds of source, shown side by side on one page (目标与时限依据) so a leader or an auditor sees at
once which numbers are the county's own choice:

- the plan (实施方案) — the section that gives the number;
- a law — the article that gives it;
- neither — a county default (县级默认) kept in settings; a deployment that overrides it shows 本县设置.

Values are read from each module's settings on every call, so the page always shows what is enforced.
"""

from __future__ import annotations

from dataclasses import dataclass

from yiwang.cases.conf import CASES
from yiwang.catalog.conf import TARGETS
from yiwang.catalog.rules import MAX_VISITS
from yiwang.core.conf import AppSettings
from yiwang.hotline.conf import HOTLINE
from yiwang.ratings.conf import RATINGS
from yiwang.workdays.deadlines import workdays_settings

PLAN = "plan"
LAW = "law"
COUNTY_DEFAULT = "county_default"
COUNTY_SETTING = "county_setting"

SOURCE_LABELS = {
    PLAN: "实施方案",
    LAW: "法律规定",
    COUNTY_DEFAULT: "县级默认",
    COUNTY_SETTING: "本县设置",
}


@dataclass(frozen=True)
class Limit:
    group: str
    label: str
    settings: AppSettings | None
    key: str
    subkey: str | None = None
    unit: str = "个工作日"
    basis: str = ""  # the plan's section or the law's article; empty: no source gives the number
    kind: str = ""  # PLAN or LAW when ``basis`` is given
    constant: object = None  # for numbers fixed in code (``settings`` is None) …
    constant_home: str = ""  # … and the module that holds it


@dataclass(frozen=True)
class LimitRow:
    group: str
    label: str
    value: str
    source: str  # one of SOURCE_LABELS
    source_label: str
    basis: str
    setting: str  # where to change it ("" for a number fixed by the plan in code)


LIMITS: tuple[Limit, ...] = (
    # 目标 (targets)
    Limit("目标", "政务服务事项网上可办率", TARGETS, "online_rate", unit="%", basis="二、（一）(2)", kind=PLAN),
    Limit(
        "目标",
        "取消审批、改为备案或实行告知承诺的事项",
        TARGETS,
        "reform_items",
        unit="项以上",
        basis="四、（一）2",
        kind=PLAN,
    ),
    Limit("目标", "镇（街）便民服务中心事项清单", TARGETS, "town_list_items", unit="项", basis="三、1", kind=PLAN),
    Limit("目标", "村（社区）便民服务站事项清单", TARGETS, "village_list_items", unit="项", basis="三、1", kind=PLAN),
    Limit(
        "目标", "企业开办办结时间", CASES, "ENTERPRISE_OPENING_TARGET_DAYS", unit="个工作日内", basis="三、2", kind=PLAN
    ),
    Limit(
        "目标",
        "依申请事项到办事现场次数上限（“最多跑一次、两次”）",
        None,
        "MAX_VISITS",
        unit="次",
        constant=MAX_VISITS,
        constant_home="catalog.rules",
    ),
    Limit("目标", "即办事项数量（方案只要求“扩大即办事项范围”，三、2）", TARGETS, "instant_items", unit="项以上"),
    Limit("目标", "零跑动事项占比", TARGETS, "zero_visit_share", unit="%"),
    # 办件 (applications)
    Limit(
        "办件",
        "窗口受理或一次性告知补正",
        CASES,
        "INTAKE_DAYS",
        unit="日内",
        basis="《行政许可法》第三十二条",
        kind=LAW,
    ),
    Limit(
        "办件",
        "审批延期（经本机关负责人批准，一次）",
        CASES,
        "EXTENSION_DAYS",
        basis="《行政许可法》第四十二条",
        kind=LAW,
    ),
    Limit("办件", "决定书送达", CASES, "DELIVERY_DAYS", basis="《行政许可法》第四十四条", kind=LAW),
    Limit("办件", "容缺受理后补齐材料", CASES, "DEFERRED_DAYS"),
    Limit("办件", "告知承诺事中事后核查", CASES, "PLEDGE_VERIFICATION_DAYS"),
    # 12345 诉求 (appeals)
    Limit("12345 诉求", "签收", HOTLINE, "SIGN_OFF_WORKDAYS"),
    Limit("12345 诉求", "答复：简单问题（已派单）", HOTLINE, "REPLY_WORKDAYS", "simple"),
    Limit("12345 诉求", "答复：一般问题", HOTLINE, "REPLY_WORKDAYS", "general"),
    Limit("12345 诉求", "答复：复杂问题", HOTLINE, "REPLY_WORKDAYS", "complex"),
    Limit("12345 诉求", "紧急诉求签收", HOTLINE, "URGENT_SIGN_OFF_HOURS", unit="小时"),
    Limit("12345 诉求", "紧急诉求答复", HOTLINE, "URGENT_REPLY_HOURS", unit="小时"),
    Limit("12345 诉求", "单次延期最长", HOTLINE, "EXTENSION_MAX_WORKDAYS"),
    Limit("12345 诉求", "每次派单可退单次数", HOTLINE, "RETURN_LIMIT", unit="次"),
    Limit("12345 诉求", "每件诉求可重办次数", HOTLINE, "REOPEN_LIMIT", unit="次"),
    Limit(
        "办不成事",
        "一般问题办结",
        HOTLINE,
        "UNRESOLVED_WORKDAYS",
        "general",
        unit="个工作日内",
        basis="三、4",
        kind=PLAN,
    ),
    Limit(
        "办不成事",
        "复杂问题答复或办结",
        HOTLINE,
        "UNRESOLVED_WORKDAYS",
        "complex",
        unit="个工作日内",
        basis="三、4",
        kind=PLAN,
    ),
    # 好差评 (ratings)
    Limit("好差评", "差评整改", RATINGS, "RECTIFICATION_WORKDAYS"),
    Limit("好差评", "效能体检问题整改", RATINGS, "FINDING_WORKDAYS"),
    Limit("好差评", "未评价视为基本满意的等待期", RATINGS, "UNRATED_WORKDAYS"),
    # 期限预警 (the one warning threshold)
    Limit("期限预警", "临期预警（已用时限占比）", workdays_settings, "WARNING_RATIO", unit="%"),
)


def _format(value, unit: str) -> str:
    if value is None:
        return "未设定"
    if unit == "%":
        return f"{round(float(value) * 100)}%"
    return f"{value} {unit}"


def _setting_name(limit: Limit) -> str:
    if limit.settings is None:
        return f"yiwang.{limit.constant_home}.{limit.key}"
    path = f'{limit.settings.prefix}["{limit.key}"]'
    return path + (f'["{limit.subkey}"]' if limit.subkey else "")


def limit_rows() -> list[LimitRow]:
    """The rows of the page, in order; each value as enforced now."""
    rows = []
    for limit in LIMITS:
        if limit.settings is None:
            value, overridden = limit.constant, False
        else:
            value = limit.settings.get(limit.key)
            if limit.subkey:
                value = value[limit.subkey]
            overridden = not limit.settings.is_default(limit.key)
        if limit.kind and not overridden:
            source = limit.kind
        else:
            source = COUNTY_SETTING if overridden else COUNTY_DEFAULT
        rows.append(
            LimitRow(
                group=limit.group,
                label=limit.label,
                value=_format(value, limit.unit),
                source=source,
                source_label=SOURCE_LABELS[source],
                basis=limit.basis or "方案、法律均未给出数值",
                setting=_setting_name(limit),
            )
        )
    return rows

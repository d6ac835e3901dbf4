"""The 18 national business-environment evaluation indicators (国家营商环境评价指标体系) as data.

Each indicator has sub-measures; each sub-measure is scored by the World Bank's distance to frontier
(Doing Business 2019/2020 methodology, "ease of doing business score"):

    score = (worst − value) / (worst − frontier) × 100, clipped to [0, 100]

The plan names no formula; Yiwang uses this one and says so on the page. ``frontier`` and ``worst``
are stored per sub-measure (editable by the supervision office) with these defaults:

- the four Starting-a-Business components use the Doing Business bounds (procedures 1 / 18, time
  0.5 / 100 days, cost 0 / 200 % of income per capita, paid-in minimum capital 0 / 400 %);
- a rate in per cent: frontier 100, worst 0;
- a working-day limit the plan sets: frontier 0.5 day (the DB time frontier), worst three times the
  plan's limit (县级默认值);
- any other number: a county default (县级默认值), labelled as such where shown.

``metric`` names how Yiwang measures the value from the roll-ups (``MEASUREMENTS``); a sub-measure
without one — or whose module's metric is not registered — is entered by the responsible
department with evidence.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

DB_BOUNDS = "Doing Business 2020 方法"
COUNTY_DEFAULT = "县级默认值"


@dataclass(frozen=True)
class SubMeasureSpec:
    code: str
    name: str
    unit: str
    frontier: float
    worst: float
    bounds_source: str = COUNTY_DEFAULT
    target: float | None = None
    target_source: str = ""
    metric: str = ""


@dataclass(frozen=True)
class IndicatorSpec:
    no: int
    code: str
    name: str
    department: str  # the responsible unit as the plan writes it (resolved through the alias table)
    measures: tuple[SubMeasureSpec, ...]


def _rate(code, name, metric="", target=None, source=""):
    return SubMeasureSpec(code, name, "%", 100, 0, COUNTY_DEFAULT, target, source, metric)


def _days(code, name, limit, source, metric=""):
    return SubMeasureSpec(code, name, "工作日", 0.5, 3 * limit, COUNTY_DEFAULT, limit, source, metric)


S = SubMeasureSpec
INDICATORS: tuple[IndicatorSpec, ...] = (
    IndicatorSpec(1, "starting-business", "开办企业", "县行政审批服务局", (
        S("opening-days", "企业开办时间", "工作日", 0.5, 100, DB_BOUNDS, 1, "实施方案 三、2（1日内）", "opening_days"),
        _rate("opening-within-target", "1个工作日内办结占比", "opening_within_target", 100, "实施方案 三、2"),
        S("opening-procedures", "企业开办环节", "个", 1, 18, DB_BOUNDS),
        S("opening-cost", "企业开办费用（占人均收入%）", "%", 0, 200, DB_BOUNDS),
        S("opening-min-capital", "实缴最低资本（占人均收入%）", "%", 0, 400, DB_BOUNDS),
    )),
    IndicatorSpec(2, "labour-market", "劳动力市场监管", "县人社局", (
        _rate("labour-wage-arrears-cleared", "拖欠农民工工资案件结案率"),
        S("labour-dispute-days", "劳动争议仲裁结案用时", "日", 15, 90),
    )),
    IndicatorSpec(3, "construction-permits", "办理建筑许可", "县行政审批服务局", (
        _days("construction-government", "政府投资项目审批用时", 90, "实施方案 二（三）(1)", "construction_government"),
        _days("construction-social", "社会投资项目审批用时", 50, "实施方案 二（三）(1)", "construction_social"),
        _days("construction-low-risk", "小型低风险项目审批用时", 15, "实施方案 二（三）(1)", "construction_low_risk"),
        _rate("construction-within-limit", "项目在时限内审批完成占比", "construction_within_limit", 100, "实施方案 二（三）(1)"),
    )),
    IndicatorSpec(4, "procurement", "政府采购", "县财政局", (
        _rate("procurement-electronic", "电子卖场采购占比"),
        S("procurement-payment-days", "合同签订至支付用时", "日", 5, 60),
    )),
    IndicatorSpec(5, "bidding", "招标投标", "县发改局", (
        _rate("bidding-electronic", "全流程电子化交易占比"),
        S("bidding-complaint-days", "招投标投诉处理用时", "工作日", 5, 30),
    )),
    IndicatorSpec(6, "electricity", "获得电力", "供电眉县分公司", (
        _days("electricity-resident", "居民用户办电时间", 5, "实施方案 四（三）1", "electricity_resident"),
        _days("electricity-low-voltage-sanling", "低压非居民（三零）办电时间", 20, "实施方案 四（三）1", "electricity_low_voltage_sanling"),
        _days("electricity-low-voltage", "低压非居民（未实行三零）办电时间", 6, "实施方案 四（三）1", "electricity_low_voltage"),
        _days("electricity-high-single", "高压单电源办电时间", 22, "实施方案 四（三）1", "electricity_high_single"),
        _days("electricity-high-dual", "高压双电源办电时间", 32, "实施方案 四（三）1", "electricity_high_dual"),
    )),
    IndicatorSpec(7, "water-gas", "获得用水用气", "县住建局", (
        S("water-days", "用水报装用时", "工作日", 0.5, 30, COUNTY_DEFAULT, None, "", "water_days"),
        S("gas-days", "用气报装用时", "工作日", 0.5, 36, COUNTY_DEFAULT, None, "", "gas_days"),
    )),
    IndicatorSpec(8, "registering-property", "登记财产", "县自然资源局", (
        S("property-days", "不动产登记用时", "工作日", 1, 30),
        _rate("property-online", "不动产登记网上可办率"),
    )),
    IndicatorSpec(9, "credit", "获得信贷", "县金融办", (
        _rate("credit-first-loan", "小微企业首贷户增长率"),
        _rate("credit-clues-on-time", "信用风险线索按时处置率", "credit_clues_on_time"),
    )),
    IndicatorSpec(10, "minority-investors", "保护中小投资者", "县法院", (
        S("investor-protection-index", "中小投资者保护指数", "分", 10, 0),
    )),
    IndicatorSpec(11, "intellectual-property", "知识产权创造保护和运用", "县市场监管局", (
        S("ip-patents-per-10k", "每万人发明专利拥有量", "件", 20, 0),
        S("ip-pledge-amount", "知识产权质押融资额", "万元", 5000, 0),
    )),
    IndicatorSpec(12, "trading-across-borders", "跨境贸易", "县商务和工业信息化局", (
        S("trade-export-hours", "出口边境合规时间", "小时", 1, 160),
    )),
    IndicatorSpec(13, "paying-taxes", "纳税", "县税务局", (
        S("tax-hours", "纳税时间", "小时/年", 49, 696),
        _rate("tax-online", "网上办税率"),
    )),
    IndicatorSpec(14, "enforcing-contracts", "执行合同", "县法院", (
        S("contract-days", "合同纠纷解决时间", "日", 120, 1340),
    )),
    IndicatorSpec(15, "insolvency", "办理破产", "县法院", (
        _rate("insolvency-recovery", "破产回收率"),
    )),
    IndicatorSpec(16, "market-regulation", "市场监管", "县市场监管局", (
        _rate("inspection-coverage", "双随机抽查覆盖率", "inspection_coverage"),
        _rate("inspection-published-on-time", "抽查结果按时公示率", "inspection_published_on_time"),
        _rate("reform-items", "证照分离改革事项完成率（以106项为满分）", "reform_items", 100, "实施方案 四（一）2"),
    )),
    IndicatorSpec(17, "government-services", "政务服务", "县行政审批服务局", (
        _rate("online-available", "网上可办率", "online_available", 60, "实施方案 二（一）(2)"),
        _rate("cases-on-time", "承诺时限内办结率", "cases_on_time"),
        _rate("rating-satisfaction", "好差评满意度", "rating_satisfaction"),
        _rate("appeal-response", "12345响应率", "appeal_response"),
        _rate("appeal-resolution", "12345解决率", "appeal_resolution"),
        _rate("appeal-satisfaction", "12345满意率", "appeal_satisfaction"),
        S("licence-reuse", "电子证照调用次数", "次", 1000, 0, COUNTY_DEFAULT, None, "", "licence_reuse"),
    )),
    IndicatorSpec(18, "inclusive-innovation", "包容普惠创新", "县发改局", (
        _rate("policy-reach", "惠企政策推送覆盖率", "policy_reach"),
        S("high-tech-enterprises", "高新技术企业数", "家", 50, 0),
    )),
)  # fmt: skip

# The plan's areas (四（一）…（十八）) and the indicator each one answers.
AREA_INDICATORS = {
    1: "starting-business", 2: "construction-permits", 3: "electricity", 4: "water-gas", 5: "registering-property",
    6: "paying-taxes", 7: "trading-across-borders", 8: "insolvency", 9: "credit", 10: "minority-investors",
    11: "enforcing-contracts", 12: "labour-market", 13: "procurement", 14: "bidding", 15: "government-services",
    16: "intellectual-property", 17: "market-regulation", 18: "inclusive-innovation",
}  # fmt: skip


def dtf_score(value, frontier, worst) -> float | None:
    """Distance to frontier: (worst − value) / (worst − frontier) × 100, clipped to [0, 100].

    Works in both directions: for "lower is better" worst > frontier, for "higher is better"
    worst < frontier. ``None`` when there is no value.
    """
    if value is None:
        return None
    value, frontier, worst = (Decimal(str(v)) for v in (value, frontier, worst))
    if worst == frontier:
        raise ValueError("frontier and worst must differ")
    score = (worst - value) / (worst - frontier) * 100
    return float(min(Decimal(100), max(Decimal(0), score)))


def starting_business_score(*, procedures, days, cost_percent, min_capital_percent) -> float:
    """Doing Business "Starting a business" score: the simple average of its four component scores,
    each with the DB bounds (procedures 1/18, time 0.5/100 days, cost 0/200 %, minimum capital 0/400 %)."""
    parts = [
        dtf_score(procedures, 1, 18),
        dtf_score(days, 0.5, 100),
        dtf_score(cost_percent, 0, 200),
        dtf_score(min_capital_percent, 0, 400),
    ]
    return sum(parts) / len(parts)

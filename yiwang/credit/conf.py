"""Configuration of the credit app: ``settings.YIWANG_CREDIT = {...}`` overrides any key below.

The plan (Meixian 2021) asks for credit-based supervision but gives no numbers for risk points,
class thresholds, publication periods or clue deadlines: every number here is a county default
(县级默认值), shown as such on the pages that use it. An unknown key is refused.
"""

from yiwang.core.conf import app_settings

# 23 key fields of the county's special campaign against dishonesty (plan 二(五)(2)); the
# national campaign list (发改办财金〔2019〕 专项治理) as the county adopted it.
KEY_FIELDS = [
    "食品药品",
    "安全生产",
    "生态环境",
    "产品质量",
    "工程建设",
    "招标投标",
    "政府采购",
    "税收",
    "社会保险",
    "劳动用工（拖欠农民工工资）",
    "交通运输",
    "电子商务",
    "统计",
    "金融",
    "医疗卫生",
    "教育",
    "文化旅游",
    "知识产权",
    "价格",
    "农资（种子、化肥、农药）",
    "电信网络诈骗",
    "养老服务",
    "政务诚信",
]

DEFAULTS = {
    # --- risk class (国发〔2019〕18号 信用分级分类监管; plan 四(十七)1 gives no numbers) ----------
    # Points each record in effect adds to an entity's risk score (county default). A penalty's
    # points depend on its severity; a commendation lowers the score.
    "RISK_POINTS": {
        "commendation": -10,
        "penalty.minor": 3,
        "penalty.general": 5,
        "penalty.serious": 20,
        "dishonesty": 20,
        "false_pledge": 20,
        "inspection": 5,
        "first_offence": 0,
        "blacklist": 40,
    },
    # Class by score: at most A_MAX → A, below C_FROM → B, below D_FROM → C, else D (county default).
    "RISK_THRESHOLDS": {"A_MAX": -10, "C_FROM": 10, "D_FROM": 40},
    # Any record on one of these lists puts the entity in class D whatever its score (county default).
    "D_LISTS": ["key_fields", "wage_arrears", "bidding", "ip"],
    # --- publication periods (months after the decision) when a record states no expiry ----------
    # 失信行为纠正后的信用信息修复管理办法（试行）(国家发改委2023年第58号令) Art. 7: penalties minor 3
    # months (not public), general at most 1 year, serious at most 3 years; lists 3 years (county defaults).
    "PUBLICATION_MONTHS": {
        "commendation": 24,
        "penalty.minor": 3,
        "penalty.general": 12,
        "penalty.serious": 36,
        "dishonesty": 36,
        "false_pledge": 36,
        "inspection": 12,
        "first_offence": 0,
        "blacklist": 36,
        "government": 36,
    },
    # What the public announcement page shows (only what law makes public: lists, penalties).
    "PUBLIC_KINDS": ["commendation", "penalty", "blacklist", "government"],
    # Minor penalties decided by 简易程序 are not published (county default, following Art. 7).
    "PUBLIC_MIN_SEVERITY": "general",
    # 信用修复: a record may be repaired once the minimum period after the decision has passed
    # (months; county default). 0 = at once after correction.
    "REPAIR_MIN_MONTHS": {"penalty.general": 3, "penalty.serious": 12, "dishonesty": 12, "false_pledge": 6},
    # Kinds that can never be repaired before expiry (county default).
    "REPAIR_EXCLUDED_KINDS": ["blacklist"],
    # Working days the department has to decide a repair request (county default).
    "REPAIR_DECIDE_WORKDAYS": 5,
    # Working days before the decision is due when the deciding department is reminded (county default).
    "REPAIR_REMIND_WORKDAYS": 1,
    # --- 首违不罚 (plan 四(六)6) and the published list of minor violations (四(十七)3) ----------
    # Each entry: code, the offence, its legal basis. A first offence on this list within the
    # window is recorded (kind first_offence), not penalised.
    "FIRST_OFFENCES": [
        {
            "code": "tax-late-filing",
            "title": "未按规定期限办理纳税申报和报送纳税资料",
            "basis": "税收征收管理法第62条；税务行政处罚“首违不罚”事项清单第1项",
        },
        {
            "code": "tax-late-registration",
            "title": "未按规定期限办理税务登记手续",
            "basis": "税收征收管理法第60条；“首违不罚”事项清单第3项",
        },
        {
            "code": "tax-invoice-keeping",
            "title": "未按规定保管纸质发票但未造成发票丢失",
            "basis": "发票管理办法第36条；“首违不罚”事项清单第7项",
        },
        {
            "code": "amr-annual-report",
            "title": "未按规定公示年度报告，经责令后及时补报",
            "basis": "企业信息公示暂行条例第8条",
        },
        {
            "code": "amr-licence-display",
            "title": "未在经营场所醒目位置悬挂营业执照",
            "basis": "市场主体登记管理条例第36条",
        },
        {
            "code": "food-health-cert",
            "title": "餐饮从业人员健康证明过期未及时换证，经责令后改正",
            "basis": "食品安全法第126条；市场监管轻微违法不予处罚清单",
        },
        {
            "code": "price-tag",
            "title": "商品明码标价不规范，未造成损害",
            "basis": "价格法第42条；明码标价和禁止价格欺诈规定",
        },
        {
            "code": "transport-permit-carry",
            "title": "道路运输车辆未随车携带道路运输证",
            "basis": "道路运输条例第68条；交通运输轻微违法不予处罚清单",
        },
    ],
    # Years within which an earlier offence makes a new one no longer "first" (county default).
    "FIRST_OFFENCE_WINDOW_YEARS": 2,
    # --- risk-warning clues (互联网+监管 风险预警, plan 四(十七)2) -------------------------------------
    # Each rule: code, label, source (records of the given kinds / a class change / complaints naming
    # the entity in the 12345 hotline), threshold and window in days. A clue goes to the department of
    # the latest triggering record, else to CLUE_DEFAULT_DEPARTMENT. One clue per rule, entity and quarter.
    # Inspection results reach the rules as credit records of kind "inspection"; ratings judge
    # government services, not entities, and are no source (see services/clues.py).
    "CLUE_RULES": [
        {
            "code": "repeat-penalty",
            "label": "一年内多次受到行政处罚",
            "source": "records",
            "kinds": ["penalty", "inspection"],
            "threshold": 2,
            "window_days": 365,
        },
        {
            "code": "dishonesty",
            "label": "新增失信记录或列入严重失信名单",
            "source": "records",
            "kinds": ["dishonesty", "blacklist", "false_pledge"],
            "threshold": 1,
            "window_days": 365,
        },
        {
            "code": "class-drop",
            "label": "信用风险分类降为D类",
            "source": "class",
            "classes": ["D"],
            "threshold": 1,
            "window_days": 365,
        },
        {"code": "appeals", "label": "一年内投诉举报集中", "source": "appeals", "threshold": 3, "window_days": 365},
    ],
    # Department a clue goes to when no record names one (a code of org.Department; county default).
    "CLUE_DEFAULT_DEPARTMENT": "market-regulation",
    # Working days to handle a pushed clue and feed back (county default).
    "CLUE_HANDLE_WORKDAYS": 10,
    # Working days before a clue's feedback is due when the department is reminded (county default).
    "CLUE_REMIND_WORKDAYS": 2,
    # --- 信易贷 financing board (plan 四(九)2(2), 四(九)5) ---------------------------------------------
    # Classes a loan product accepts when it names none (county default).
    "LOAN_DEFAULT_CLASSES": ["A", "B", "C"],
    # --- credit policy for 容缺受理 and 告知承诺 (plan 四(十五)8(1)) --------------------------------
    "DEFERRAL_CLASSES": ["A", "B"],
    "PLEDGE_CLASSES": ["A", "B", "C"],
}

CREDIT = app_settings("YIWANG_CREDIT", DEFAULTS)


def credit_setting(name: str):
    """The effective value of one ``YIWANG_CREDIT`` setting (its default unless overridden)."""
    return CREDIT.get(name)

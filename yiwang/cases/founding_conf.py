"""Configuration of 企业开办 (founding a company online) and 企业注销, overridable in settings.

``settings.YIWANG_FOUNDING = {"USCC_RANGE": {"prefix": "91610326MA6W", "first": 1, "last": 9999}}``
overrides a key; an unknown key is refused (``core.conf``). Only the target comes from the plan
(三、2 “力争企业开设‘1日内’办结”, read from ``YIWANG_CASES["ENTERPRISE_OPENING_TARGET_DAYS"]`` so the
leader page and this module can never disagree); everything else here is a county default (县级默认).
"""

from yiwang.core.conf import app_settings

DEFAULTS = {
    # 县级默认: the block of unified social credit codes the county's registration authority assigns
    # to companies founded here. GB 32100: 9 (工商) + 1 (企业) + 610326 (眉县) + the 9-character
    # organisation code (its first characters fixed here, then a decimal serial, then the GB 11714
    # check character) + the USCC check character. ``first``…``last`` bound the serial.
    "USCC_RANGE": {"prefix": "91610326MA6W", "first": 1, "last": 9999},
    # 县级默认: a company name must carry the county's name (企业名称登记管理规定 第六条: 冠以企业所在地
    # 县行政区划名称) — at the start, or in brackets before the organisation form (第七条).
    "NAME_REGION_WORDS": ["宝鸡市眉县", "眉县"],
    # 企业名称登记管理规定 第十一、十二条: words a county registration may not accept. Each with its reason.
    "NAME_FORBIDDEN_WORDS": {
        "中国": "冠以“中国”“中华”“中央”“全国”“国家”须报国务院批准（企业名称登记管理规定 第十二条）",
        "中华": "冠以“中国”“中华”“中央”“全国”“国家”须报国务院批准（企业名称登记管理规定 第十二条）",
        "中央": "冠以“中国”“中华”“中央”“全国”“国家”须报国务院批准（企业名称登记管理规定 第十二条）",
        "全国": "冠以“中国”“中华”“中央”“全国”“国家”须报国务院批准（企业名称登记管理规定 第十二条）",
        "国家": "冠以“中国”“中华”“中央”“全国”“国家”须报国务院批准（企业名称登记管理规定 第十二条）",
        "国际": "不得使用国际组织名称或可能使公众误解的字词（企业名称登记管理规定 第十一条）",
        "政府": "不得使用党政军机关名称（企业名称登记管理规定 第十一条）",
        "公安": "不得使用党政军机关名称（企业名称登记管理规定 第十一条）",
        "部队": "不得使用部队番号或特定称谓（企业名称登记管理规定 第十一条）",
        "人民银行": "不得使用党政军机关名称（企业名称登记管理规定 第十一条）",
        "赌": "不得含有赌博内容（企业名称登记管理规定 第十一条）",
        "彩票": "不得含有赌博内容（企业名称登记管理规定 第十一条）",
    },
    # The company types this bundle registers (its registration item is 有限责任公司设立登记) and how
    # many shareholders each has (公司法〔2023〕第四十二条: 一个以上五十个以下股东).
    "COMPANY_TYPES": {
        "llc_sole": {"label": "有限责任公司（自然人独资）", "min": 1, "max": 1},
        "llc": {"label": "有限责任公司（自然人投资或控股）", "min": 2, "max": 50},
    },
    # 县级默认: the banks in the county that take account-opening appointments (银行开户预约).
    "BANKS": [
        "中国农业银行眉县支行",
        "中国工商银行眉县支行",
        "中国建设银行眉县支行",
        "中国邮政储蓄银行眉县支行",
        "陕西眉县农村商业银行",
    ],
    # 住房公积金管理条例 第十八条 and 建金〔2005〕5号: deposit ratio not below 5 % and in principle not above 12 %.
    "FUND_RATIO_MIN": 5,
    "FUND_RATIO_MAX": 12,
    # The bundle whose sub-cases 企业注销 opens (catalog demo data, plan 四（一）3).
    "DISSOLUTION_BUNDLE": "qiye-zhuxiao",
}

FOUNDING = app_settings("YIWANG_FOUNDING", DEFAULTS)


def founding_setting(name: str):
    """The effective value of one ``YIWANG_FOUNDING`` setting (its default unless overridden)."""
    return FOUNDING.get(name)


# The labels of the answers a founding keeps on its case (``Case.form_data``), for the case pages.
FOUNDING_FORM_LABELS = {
    "proposed_name": "拟设企业名称",
    "company_type": "企业类型",
    "registered_capital": "注册资本（万元）",
    "legal_representative": "法定代表人",
}

"""在线导办: a few questions lead from a life event to the item(s) or bundle and its checklist.

The questionnaire is data: each life event has questions with options, and rules that map answers
to a bundle code and/or item names of the published catalog; an option may add items of its own
(a shop sign adds the outdoor-advertising permit). Names that the catalog does not publish are
skipped and listed, so the guide never links to nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from yiwang.catalog.models import Bundle, BundleStatus, ItemStatus, ServiceItem

EVENTS: list[dict] = [
    {
        "slug": "kai-fandian",
        "title": "我要开饭店",
        "summary": "小吃店、餐馆、饭店：营业执照、食品经营许可、排水和招牌",
        "questions": [
            {
                "key": "subject",
                "text": "您打算以什么身份经营？",
                "options": [("individual", "个体工商户"), ("company", "成立公司")],
            },
            {
                "key": "size",
                "text": "经营场所有多大？",
                "options": [("small", "50平方米以下，只做简单小吃（小餐饮）"), ("large", "50平方米以上，或有明火后厨")],
            },
            {"key": "sign", "text": "门店要设置户外招牌吗？", "options": [("yes", "要设置"), ("no", "不设置")]},
        ],
        "rules": [
            {
                "when": {"subject": "company"},
                "bundle": "qiye-kaiban",
                "items": ["食品经营许可（新办）", "城镇污水排入排水管网许可（新办）"],
            },
            {
                "when": {"subject": "individual", "size": "small"},
                "items": ["个体工商户设立登记", "小餐饮经营许可（新办）"],
            },
            {"when": {"subject": "individual", "size": "large"}, "bundle": "wo-yao-kai-fandian"},
        ],
        "adds": {("sign", "yes"): ["户外广告设施设置审批（新设）"]},
    },
    {
        "slug": "kai-nongjiale",
        "title": "我要开农家乐",
        "summary": "汤峪、红河谷、太白山脚下经营农家乐、民宿",
        "questions": [
            {"key": "lodging", "text": "是否提供住宿？", "options": [("yes", "提供住宿"), ("no", "只提供餐饮")]},
        ],
        "rules": [
            {"when": {"lodging": "yes"}, "bundle": "wo-yao-kai-nongjiale"},
            {
                "when": {"lodging": "no"},
                "items": ["个体工商户设立登记", "小餐饮经营许可（新办）", "农家乐经营户信息登记"],
            },
        ],
        "adds": {},
    },
    {
        "slug": "kai-gongsi",
        "title": "我要开公司",
        "summary": "企业开办一件事：登记、刻章、发票、社保、公积金、银行开户，1个工作日办结",
        "questions": [
            {
                "key": "trade",
                "text": "主要经营什么？",
                "options": [
                    ("kiwi", "猕猴桃种植、收购、冷藏、销售"),
                    ("tourism", "太白山、汤峪旅游服务"),
                    ("other", "其他行业"),
                ],
            },
        ],
        "rules": [{"when": {}, "bundle": "qiye-kaiban"}],
        "adds": {("trade", "tourism"): ["旅行社业务经营许可"]},
    },
    {
        "slug": "jian-lengku",
        "title": "我要建猕猴桃冷库",
        "summary": "果区冷库（气调库）：备案、规划、环评、施工、用电报装一链办",
        "questions": [],
        "rules": [{"when": {}, "bundle": "wo-yao-jian-lengku"}],
        "adds": {},
    },
    {
        "slug": "qiye-zhuxiao",
        "title": "企业注销",
        "summary": "清税、社保、公积金、银行账户与注销登记一次申请",
        "questions": [],
        "rules": [{"when": {}, "bundle": "qiye-zhuxiao"}],
        "adds": {},
    },
    {
        "slug": "sheng-haizi",
        "title": "宝宝出生",
        "summary": "出生医学证明、入户、医保、社保卡、预防接种证",
        "questions": [],
        "rules": [{"when": {}, "bundle": "xinshenger-chusheng"}],
        "adds": {},
    },
    {
        "slug": "tuixiu",
        "title": "我要退休",
        "summary": "养老保险待遇申领、公积金退休提取",
        "questions": [],
        "rules": [{"when": {}, "bundle": "tuixiu"}],
        "adds": {},
    },
]
EVENTS_BY_SLUG = {e["slug"]: e for e in EVENTS}


@dataclass
class GuideResult:
    bundle: Bundle | None = None
    items: list[ServiceItem] = field(default_factory=list)
    unavailable: list[str] = field(default_factory=list)


def next_question(event: dict, answers: dict) -> dict | None:
    for question in event["questions"]:
        if answers.get(question["key"]) not in {value for value, _label in question["options"]}:
            return question
    return None


def clean_answers(event: dict, raw) -> dict:
    answers = {}
    for question in event["questions"]:
        value = raw.get(question["key"])
        if value in {v for v, _label in question["options"]}:
            answers[question["key"]] = value
    return answers


def guide_resolve(event: dict, answers: dict) -> GuideResult:
    """The bundle and items the answers lead to, from the published catalog (county items first)."""
    result = GuideResult()
    rule = next((r for r in event["rules"] if all(answers.get(k) == v for k, v in r["when"].items())), None)
    if rule is None:
        return result
    names = list(rule.get("items", []))
    for (key, value), extra in event["adds"].items():
        if answers.get(key) == value:
            names += extra
    if rule.get("bundle"):
        result.bundle = Bundle.objects.filter(code=rule["bundle"], status=BundleStatus.PUBLISHED).first()
        if result.bundle is None:
            result.unavailable.append(rule["bundle"])
    published = {}
    for item in ServiceItem.objects.filter(name__in=names, status=ItemStatus.PUBLISHED).order_by("level", "code"):
        published.setdefault(item.name, item)
    for name in names:
        if name in published:
            result.items.append(published[name])
        else:
            result.unavailable.append(name)
    return result

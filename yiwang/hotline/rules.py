"""Intake screening: what the hotline must not take on, and the advice given instead.

DESIGN, appeals: emergencies stay with 110/119/120/122; matters already in litigation,
arbitration, discipline inspection, administrative reconsideration or the 信访 procedure follow
their own statutory channels. The screening here only *suggests* (keyword patterns cannot read
intent); an operator or dispatcher declines with the reason, except that an online submission
describing an emergency in progress is turned away at once, because the person must call now.
"""

import re
from dataclasses import dataclass

from yiwang.core.pii import mask_text
from yiwang.hotline.models import Appeal

Reason = Appeal.DeclineReason

ADVICE: dict[str, str] = {
    Reason.POLICE_110: "您反映的是治安警情，请立即拨打 110 报警。",
    Reason.FIRE_119: "您反映的是火灾等险情，请立即拨打 119。",
    Reason.MEDICAL_120: "您反映的是医疗急救事项，请立即拨打 120 急救电话。",
    Reason.TRAFFIC_122: "您反映的是交通事故，请立即拨打 122 交通事故报警电话。",
    Reason.LITIGATION: "该事项已进入诉讼程序，请通过人民法院依法处理。",
    Reason.ARBITRATION: "该事项已进入仲裁程序，请通过仲裁机构依法处理。",
    Reason.DISCIPLINE: "纪检监察事项请向县纪委监委反映（12388）。",
    Reason.RECONSIDERATION: "该事项已申请行政复议，请通过行政复议机关依法处理。",
    Reason.PETITION: "该事项属信访事项，请按《信访工作条例》向信访部门提出。",
}

EMERGENCY_REASONS = frozenset({Reason.POLICE_110, Reason.FIRE_119, Reason.MEDICAL_120, Reason.TRAFFIC_122})

# Patterns of something happening now. "上次车祸后路面坑洼" must not match, so the emergency
# patterns look for present-tense cues (正在, 了, 快, 有人…) rather than single nouns.
_PATTERNS: list[tuple[str, re.Pattern]] = [
    (Reason.FIRE_119, re.compile(r"(着火了|起火了|失火了|正在(燃烧|着火|冒烟)|火势|被困火场|煤气泄漏|燃气泄漏)")),
    (
        Reason.MEDICAL_120,
        re.compile(r"(昏迷不醒|晕倒了|没有呼吸|心脏骤停|大出血|(需要|快叫|叫)急救|快不行了|口吐白沫)"),
    ),
    (Reason.TRAFFIC_122, re.compile(r"(刚(刚)?发生(了)?(车祸|交通事故)|(车祸|交通事故)现场|撞人了|肇事逃逸)")),
    (Reason.POLICE_110, re.compile(r"(正在(打架|斗殴|抢劫|行凶|砸|偷)|持刀(伤人|行凶)|被绑架|有人(要)?跳楼|正在家暴)")),
    (
        Reason.LITIGATION,
        re.compile(r"(已(经)?(向法院)?(起诉|立案)|法院(已)?(受理|立案|判决|审理)|诉讼(中|阶段)|正在打官司)"),
    ),
    (Reason.ARBITRATION, re.compile(r"(已(经)?申请(劳动)?仲裁|仲裁(中|委员会已受理)|仲裁阶段)")),
    (Reason.DISCIPLINE, re.compile(r"(违纪|纪委|监委|贪污|受贿|吃拿卡要|作风问题)")),
    (Reason.RECONSIDERATION, re.compile(r"(已(经)?申请(了)?(行政)?复议|复议(中|阶段|机关已受理))")),
    (Reason.PETITION, re.compile(r"(信访(局|办|事项|件)|已(经)?上访|正在信访)")),
]


@dataclass(frozen=True)
class Screening:
    reason: str
    advice: str

    @property
    def is_emergency(self) -> bool:
        return self.reason in EMERGENCY_REASONS

    @property
    def label(self) -> str:
        return Reason(self.reason).label


def screen_text(text: str) -> Screening | None:
    """The first out-of-scope reason the text suggests, or None."""
    text = text or ""
    for reason, pattern in _PATTERNS:
        if pattern.search(text):
            return Screening(reason, ADVICE[reason])
    return None


def advice_for(reason: str) -> str:
    return ADVICE[reason]


def redact_text(text: str) -> str:
    """Free text for a public page: mobile, landline and ID numbers inside it are masked, however
    disguised (``yiwang.core.pii.mask_text``: detection on the normalised text, masking in the
    original)."""
    return mask_text(text or "")

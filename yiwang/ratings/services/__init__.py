"""Every write of 好差评 (keyword-only ``<entity>_<verb>``)."""

from .checks import check_assign, check_close, check_schedule, finding_record, monitor_add
from .ratings import (
    appeal_is_rateable,
    appeal_rater_id,
    case_is_rateable,
    indicators_for,
    rating_submit,
    ratings_record_unrated,
    unrated_cutoff,
)
from .rectifications import (
    rectification_classify,
    rectification_decide_appeal,
    rectification_rectify,
    rectification_reply,
    rectification_review,
    rectification_revisit,
    rectification_verify,
)

__all__ = [
    "appeal_is_rateable",
    "appeal_rater_id",
    "case_is_rateable",
    "check_assign",
    "check_close",
    "check_schedule",
    "finding_record",
    "indicators_for",
    "monitor_add",
    "rating_submit",
    "ratings_record_unrated",
    "rectification_classify",
    "rectification_decide_appeal",
    "rectification_rectify",
    "rectification_reply",
    "rectification_review",
    "rectification_revisit",
    "rectification_verify",
    "unrated_cutoff",
]

"""Every write of the random inspections (keyword-only ``<entity>_<verb>(*, …, actor)``)."""

from .plans import draw_verification_record, draw_verify, plan_create, plan_draw, plan_publish
from .roster import inspection_item_create, inspector_conflict_declare, inspector_create, inspector_import
from .tasks import follow_up_add, plan_results_publish, task_publish, task_result_record

__all__ = [
    "draw_verification_record",
    "draw_verify",
    "follow_up_add",
    "inspection_item_create",
    "inspector_conflict_declare",
    "inspector_create",
    "inspector_import",
    "plan_create",
    "plan_draw",
    "plan_publish",
    "plan_results_publish",
    "task_publish",
    "task_result_record",
]

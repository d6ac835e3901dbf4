"""Allowed transitions of plans and tasks, as data."""

from yiwang.core.errors import ApplicationError

from .models import Plan, Task

PLAN_TRANSITIONS = {
    Plan.State.DRAFT: {Plan.State.PUBLISHED},
    Plan.State.PUBLISHED: {Plan.State.DRAWN},
    Plan.State.DRAWN: {Plan.State.DRAWN, Plan.State.CLOSED},  # a recorded redraw stays drawn
    Plan.State.CLOSED: set(),
}

TASK_TRANSITIONS = {
    Task.State.ASSIGNED: {Task.State.RECORDED, Task.State.CANCELLED},
    Task.State.RECORDED: {Task.State.RECORDED, Task.State.PUBLISHED},  # a result may be corrected before publication
    Task.State.PUBLISHED: set(),
    Task.State.CANCELLED: set(),
}


def check_plan_transition(plan: Plan, target: str) -> None:
    if target not in PLAN_TRANSITIONS[plan.state]:
        raise ApplicationError(
            "inspection.plan_invalid_transition",
            f"计划当前状态为“{plan.get_state_display()}”，不能执行此操作",
            details={"state": plan.state, "target": target},
            status=409,
        )


def check_task_transition(task: Task, target: str) -> None:
    if target not in TASK_TRANSITIONS[task.state]:
        raise ApplicationError(
            "inspection.task_invalid_transition",
            f"检查任务当前状态为“{task.get_state_display()}”，不能执行此操作",
            details={"state": task.state, "target": target},
            status=409,
        )

"""The ratings' part of the one deadline sweep (yiwang.workdays.sweep)."""

from __future__ import annotations

from django.utils import timezone

from yiwang.workdays.sweep import register_deadline_handler, register_sweep_hook

from ..conf import setting


def unrated_hook(*, now) -> dict:
    from .ratings import ratings_record_unrated

    return ratings_record_unrated(today=timezone.localdate(now))


def register_sweep() -> None:
    from .rectifications import on_rectification_deadline, on_rectification_due_changed

    register_deadline_handler(
        "ratings.Rectification",
        on_rectification_deadline,
        remind_lead_workdays=int(setting("REMIND_LEAD_WORKDAYS")),
        on_due_change=on_rectification_due_changed,
    )
    register_sweep_hook("ratings.unrated", unrated_hook)

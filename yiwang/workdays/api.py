"""Public JSON answers from the working-day calendar (no login: the calendar is public)."""

import datetime as dt

from ninja import Query, Router, Schema

from yiwang.workdays import selectors

router = Router(tags=["workdays"], auth=None)


class AddQuery(Schema):
    start: dt.date
    days: int


class AddOut(Schema):
    start: dt.date
    days: int
    due: dt.date
    provisional: bool


class CountQuery(Schema):
    start: dt.date
    end: dt.date


class CountOut(Schema):
    workdays: int
    provisional: bool


class DayQuery(Schema):
    date: dt.date


class DayOut(Schema):
    date: dt.date
    workday: bool
    name: str | None
    provisional: bool


@router.get("add", response=AddOut, summary="N 个工作日后是哪天")
def add_workdays(request, query: Query[AddQuery]):
    """Counting starts the working day after ``start`` (民法典 Art. 201); ``days = 0`` is the same day."""
    due = selectors.add_workdays(query.start, query.days)
    return {"start": query.start, "days": query.days, "due": due.due, "provisional": due.provisional}


@router.get("count", response=CountOut, summary="两个日期之间的工作日数")
def count_workdays(request, query: Query[CountQuery]):
    """Working days after ``start`` up to and including ``end``."""
    return {
        "workdays": selectors.count_workdays(query.start, query.end),
        "provisional": selectors.count_is_provisional(query.start, query.end),
    }


@router.get("day", response=DayOut, summary="某一天是否上班")
def day(request, query: Query[DayQuery]):
    info = selectors.day_info(query.date)
    return {"date": info.date, "workday": info.workday, "name": info.name, "provisional": info.provisional}

"""The cases module's fixtures (published items, applicants, a case under review, the calendar)."""

from yiwang.cases.tests.conftest import (  # noqa: F401
    accepted_case,
    food_item,
    fresh_calendar,
    person,
    review_case,
    submitted_case,
)

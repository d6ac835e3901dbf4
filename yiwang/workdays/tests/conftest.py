import pytest
from django.contrib.auth import get_user_model

from yiwang.workdays import calendar
from yiwang.workdays.seeding import seed_official_calendar


@pytest.fixture(autouse=True)
def fresh_calendar(request):
    """Each test sees the calendar its own database holds, not one cached by an earlier test.

    A transactional test elsewhere in the run may have flushed the rows the data migration
    seeded; database tests here get them back.
    """
    calendar.reset()
    if request.node.get_closest_marker("django_db"):
        seed_official_calendar()
    yield
    calendar.reset()


@pytest.fixture
def staff_user(db):
    return get_user_model().objects.create_user(
        username="calendar-admin", password="Calendar-admin-2026!", is_staff=True
    )


@pytest.fixture
def clerk(db):
    return get_user_model().objects.create_user(username="window-clerk", password="Window-clerk-2026!")

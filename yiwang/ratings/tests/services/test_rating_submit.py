import pytest

from yiwang.core.errors import ApplicationError
from yiwang.core.models import AuditEvent
from yiwang.ratings.models import Rating, Rectification
from yiwang.ratings.services import rating_submit

pytestmark = pytest.mark.django_db


def test_it_records_one_online_rating_with_the_case_context(finished_case, citizen, handler_a):
    rating = rating_submit(
        actor=citizen, case=finished_case, level=5, channel="online", scores={"efficiency": 4}, comment="办事快"
    )
    assert rating.department_id == finished_case.department_id
    assert rating.item_code == "610326-XK-0001"
    assert rating.staff_id == handler_a.pk
    assert rating.rater_id == citizen.pk and rating.rater_name == "王秀兰"
    assert rating.scores == {"efficiency": 4, "overall": 5}
    assert AuditEvent.objects.filter(action="ratings.rating_recorded", object_id=str(rating.pk)).exists()
    assert not Rectification.objects.exists()


def test_it_refuses_a_second_rating(finished_case, citizen):
    rating_submit(actor=citizen, case=finished_case, level=4, channel="online")
    with pytest.raises(ApplicationError) as error:
        rating_submit(actor=citizen, case=finished_case, level=1, channel="online", comment="再评一次")
    assert error.value.code == "rating.duplicate"
    assert Rating.objects.count() == 1 and not Rectification.objects.exists()


def test_it_refuses_an_unfinished_case(make_case, citizen):
    case = make_case(finished=False)
    with pytest.raises(ApplicationError) as error:
        rating_submit(actor=citizen, case=case, level=5, channel="online")
    assert error.value.code == "rating.not_finished"
    assert not Rating.objects.exists()


def test_it_refuses_a_stranger(finished_case, enterprise_user, handler_a):
    for actor in (enterprise_user, handler_a):
        with pytest.raises(ApplicationError) as error:
            rating_submit(actor=actor, case=finished_case, level=5, channel="online")
        assert error.value.code == "rating.stranger"
    assert not Rating.objects.exists()


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"level": 0}, "rating.bad_level"),
        ({"level": "x"}, "rating.bad_level"),
        ({"level": 5, "channel": "default"}, "rating.bad_channel"),
        ({"level": 5, "scores": {"attitude": 5}}, "rating.bad_indicator"),
        ({"level": 5, "scores": {"efficiency": 9}}, "rating.bad_score"),
        ({"level": 1}, "rating.reason_required"),
    ],
)
def test_it_refuses_bad_input_and_changes_nothing(finished_case, citizen, kwargs, code):
    kwargs = {"channel": "online", **kwargs}
    with pytest.raises(ApplicationError) as error:
        rating_submit(actor=citizen, case=finished_case, **kwargs)
    assert error.value.code == code
    assert not Rating.objects.exists()


def test_a_bad_rating_opens_a_rectification_for_the_department(finished_case, citizen, dept_a, handler_a):
    rating = rating_submit(
        actor=citizen, case=finished_case, level=1, channel="online", comment="窗口推诿，电话13891712345"
    )
    r = Rectification.objects.get(rating=rating)
    assert r.department == dept_a and r.state == "verifying" and r.real_name
    assert r.clock.days == 5 and r.due_on == r.clock.due_on
    assert "138****2345" in rating.comment
    assert handler_a.inbox_messages.filter(template="ratings.rectification_opened").exists()


def test_the_pad_records_at_the_clerks_window(counter_case, clerk, citizen):
    rating = rating_submit(actor=clerk, case=counter_case, level=4, channel="pad", scores={"attitude": 5})
    assert rating.hall_id == counter_case.hall_id
    assert rating.window == clerk.memberships.get().window
    assert rating.staff_id == clerk.pk and rating.rater_id == citizen.pk and rating.recorded_by_id == clerk.pk


def test_the_pad_refuses_a_case_of_another_hall(finished_case, clerk):
    with pytest.raises(ApplicationError) as error:
        rating_submit(actor=clerk, case=finished_case, level=4, channel="pad")
    assert error.value.code == "rating.not_at_window"


def test_an_appeal_is_rated_once_replied(replied_appeal, citizen, dept_a):
    rating = rating_submit(actor=citizen, appeal=replied_appeal, level=2, channel="online", comment="修得不彻底")
    assert rating.department == dept_a and rating.subject_number == replied_appeal.code
    assert Rectification.objects.filter(rating=rating).exists()
    with pytest.raises(ApplicationError) as error:
        rating_submit(actor=citizen, appeal=replied_appeal, level=5, channel="online")
    assert error.value.code == "rating.duplicate"


def test_the_pad_refuses_an_online_case_even_at_its_hall(make_case, county_hall, clerk):
    online = make_case(hall=county_hall)
    with pytest.raises(ApplicationError) as error:
        rating_submit(actor=clerk, case=online, level=4, channel="pad")
    assert error.value.code == "rating.not_at_window"


def test_the_operator_who_registered_a_phone_appeal_cannot_rate_it(replied_appeal, dispatcher):
    from yiwang.hotline.models import Appeal

    Appeal.objects.filter(pk=replied_appeal.pk).update(channel=Appeal.Channel.PHONE, submitted_by=dispatcher)
    replied_appeal.refresh_from_db()
    with pytest.raises(ApplicationError) as error:
        rating_submit(actor=dispatcher, appeal=replied_appeal, level=5, channel="online")
    assert error.value.code == "rating.stranger"
    rating = rating_submit(actor=dispatcher, appeal=replied_appeal, level=4, channel="hotline")
    assert rating.rater_id is None and rating.rater_name == "王秀兰"

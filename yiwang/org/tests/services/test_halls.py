import pytest

from yiwang.core.errors import ApplicationError
from yiwang.core.models import AuditEvent
from yiwang.org.models import ServiceHall, Window
from yiwang.org.services import hall_create, window_create


def test_it_creates_a_town_centre_with_an_audit_event(meixian, admin_user):
    hall = hall_create(
        name="槐芽镇便民服务中心",
        kind=ServiceHall.Kind.TOWN_CENTRE,
        region=meixian.huaiya,
        address="眉县槐芽镇",
        opening_hours="周一至周五",
        phone="0917-5500101",
        actor=admin_user,
    )
    assert ServiceHall.objects.get(pk=hall.pk).region == meixian.huaiya
    event = AuditEvent.objects.get(action="org.hall_created")
    assert event.after["name"] == "槐芽镇便民服务中心"
    assert event.stream.region_code == "610326101"


@pytest.mark.parametrize(
    ("kind", "region_attr"),
    [
        (ServiceHall.Kind.COUNTY_HALL, "huaiya"),
        (ServiceHall.Kind.TOWN_CENTRE, "county"),
        (ServiceHall.Kind.VILLAGE_STATION, "huaiya"),
    ],
)
def test_it_refuses_a_hall_at_the_wrong_level(meixian, kind, region_attr):
    with pytest.raises(ApplicationError) as excinfo:
        hall_create(name="错误大厅", kind=kind, region=getattr(meixian, region_attr), actor=None)
    assert excinfo.value.code == "org.hall_region_mismatch"
    assert "不能设在" in excinfo.value.message
    assert not ServiceHall.objects.filter(name="错误大厅").exists()


def test_it_refuses_a_second_hall_of_the_same_name(county_hall):
    with pytest.raises(ApplicationError) as excinfo:
        hall_create(name="眉县政务服务中心", kind=ServiceHall.Kind.COUNTY_HALL, region=county_hall.region, actor=None)
    assert excinfo.value.code == "org.hall_exists"
    assert excinfo.value.status == 409


def test_it_labels_a_new_window_by_number_and_kind(county_hall, admin_user):
    window = window_create(hall=county_hall, number=24, kind=Window.Kind.DELIVERY, actor=admin_user)
    assert Window.objects.get(pk=window.pk).label == "24号 出件窗口"
    assert AuditEvent.objects.filter(action="org.window_created", object_id=str(window.pk)).exists()
    assert window_create(hall=county_hall, number=7, actor=None).label == "7号 综合受理窗口"


def test_it_refuses_a_window_number_already_used_in_the_hall(county_hall):
    with pytest.raises(ApplicationError) as excinfo:
        window_create(hall=county_hall, number=1, actor=None)
    assert excinfo.value.code == "org.window_exists"
    assert "已有 1 号窗口" in excinfo.value.message
    assert county_hall.windows.filter(number=1).count() == 1


def test_it_allows_the_same_number_in_another_hall(county_hall, town_hall):
    assert window_create(hall=town_hall, number=2, actor=None).hall == town_hall


@pytest.mark.parametrize("number", [0, -3])
def test_it_refuses_a_window_number_below_one(county_hall, number):
    with pytest.raises(ApplicationError) as excinfo:
        window_create(hall=county_hall, number=number, actor=None)
    assert excinfo.value.code == "org.window_number_invalid"

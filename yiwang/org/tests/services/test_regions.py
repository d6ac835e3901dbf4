import pytest
from django.db import IntegrityError, transaction

from yiwang.core.errors import ApplicationError
from yiwang.core.models import AuditEvent
from yiwang.org.models import Region
from yiwang.org.services import region_create, region_load_from_data


def test_it_creates_a_village_with_its_materialised_path(meixian, admin_user):
    village = region_create(
        code="610326001210", name="示例村", level=Region.Level.VILLAGE, parent=meixian.shoushan, actor=admin_user
    )
    village.refresh_from_db()
    assert village.path == "610000/610300/610326/610326001/610326001210/"
    event = AuditEvent.objects.get(action="org.region_created", object_id=str(village.pk))
    assert event.actor_id == admin_user.pk
    assert event.after["code"] == "610326001210"
    assert event.stream.region_code == "610326001210"


@pytest.mark.parametrize(
    ("code", "level", "error"),
    [
        ("61032600", "town", "org.region_code_invalid"),  # 8 digits for a town
        ("6103260019", "village", "org.region_code_invalid"),
        ("61032600A", "town", "org.region_code_invalid"),
        ("610327001", "town", "org.region_code_outside_parent"),  # belongs to another county
    ],
)
def test_it_refuses_a_code_that_does_not_fit(meixian, code, level, error):
    with pytest.raises(ApplicationError) as excinfo:
        region_create(code=code, name="错误", level=level, parent=meixian.county, actor=None)
    assert excinfo.value.code == error
    assert "区划代码" in excinfo.value.message
    assert not Region.objects.filter(code=code).exists()


def test_it_refuses_a_child_at_its_parents_level(meixian):
    with pytest.raises(ApplicationError) as excinfo:
        region_create(code="610327", name="扶风县", level=Region.Level.COUNTY, parent=meixian.county, actor=None)
    assert excinfo.value.code == "org.region_parent_invalid"


def test_it_refuses_a_county_without_parent(db):
    with pytest.raises(ApplicationError) as excinfo:
        region_create(code="610326", name="眉县", level=Region.Level.COUNTY, actor=None)
    assert excinfo.value.code == "org.region_parent_required"


def test_it_refuses_an_existing_code(meixian):
    with pytest.raises(ApplicationError) as excinfo:
        region_create(code="610326001", name="首善街道", level=Region.Level.TOWN, parent=meixian.county, actor=None)
    assert excinfo.value.code == "org.region_exists"
    assert excinfo.value.status == 409


def test_it_has_the_database_refuse_a_code_of_the_wrong_length(meixian):
    with pytest.raises(IntegrityError), transaction.atomic():
        Region.objects.create(
            code="6103260", name="坏数据", level=Region.Level.TOWN, parent=meixian.county, path="610326/6103260/"
        )


def test_it_has_the_database_refuse_a_path_not_ending_in_the_code(meixian):
    with pytest.raises(IntegrityError), transaction.atomic():
        Region.objects.create(
            code="610326107", name="坏数据", level=Region.Level.TOWN, parent=meixian.county, path="610326/"
        )


def test_it_loads_the_meixian_tree_and_a_second_run_changes_nothing(db):
    first = region_load_from_data(actor=None)
    assert first["created"] == Region.objects.count()
    second = region_load_from_data(actor=None)
    assert second == {"created": 0, "updated": 0, "unchanged": first["created"]}

    county = Region.objects.get(code="610326")
    assert county.name == "眉县"
    assert county.path == "610000/610300/610326/"
    towns = list(county.children.order_by("code").values_list("name", flat=True))
    assert towns == ["首善街道", "横渠镇", "槐芽镇", "汤峪镇", "常兴镇", "金渠镇", "营头镇", "齐镇"]
    # Names from the facts file are real; other villages are flagged illustrative.
    assert not Region.objects.get(name="王长官寨村").is_illustrative
    assert not Region.objects.get(name="红河谷村").is_illustrative
    assert Region.objects.get(name="豆家堡村").is_illustrative
    assert Region.objects.get(name="东关社区").path == "610000/610300/610326/610326001/610326001001/"
    for town in county.children.all():
        assert 3 <= town.children.count() <= 9

"""Region scoping on other models filters by the row's region id, and finds what the path filter found."""

from django.db import connection
from django.db.models import Q

from yiwang.org.models import Department, Membership, Region, Role
from yiwang.org.scoping import _subtree_q, scope_for
from yiwang.org.tests.factories import DepartmentFactory, MembershipFactory, UserFactory, region_chain


def _world(meixian):
    """A department in every region of the fixture, plus one in the neighbouring county (岐山县 610323,
    whose code does not share 眉县's prefix) and one in a county whose code starts like a Meixian town's
    path would if paths were compared without the closing slash (6103261 is no region of Meixian)."""
    qishan = region_chain(
        ("610000", "陕西省", Region.Level.PROVINCE),
        ("610300", "宝鸡市", Region.Level.CITY),
        ("610323", "岐山县", Region.Level.COUNTY),
        ("610323100", "蔡家坡镇", Region.Level.TOWN),
    )
    regions = [
        meixian.province,
        meixian.city,
        meixian.county,
        meixian.shoushan,
        meixian.dongguan,
        meixian.huaiya,
        meixian.huaiya_village,
        meixian.yingtou,
        meixian.honghegu,
        qishan,
        qishan.parent,
    ]
    for index, region in enumerate(regions):
        DepartmentFactory(code=f"d{index:02d}", name=f"部门{index:02d}", short_name=f"部门{index:02d}", region=region)
    return regions


def test_it_finds_the_same_rows_by_region_id_as_by_path_prefix_at_every_level(meixian):
    regions = _world(meixian)
    for region in regions:
        old = set(Department.objects.filter(region__path__startswith=region.path).values_list("code", flat=True))
        new = set(Department.objects.filter(_subtree_q("region", region.path)).values_list("code", flat=True))
        assert new == old, region.name
        assert old  # every subtree holds at least its own department
    # the county's subtree is its 7 regions, not the neighbour's two
    assert len(Department.objects.filter(_subtree_q("region", meixian.county.path))) == 7


def test_it_follows_a_relation_path_the_same_way(meixian):
    _world(meixian)
    for department in Department.objects.select_related("region"):
        MembershipFactory(user=UserFactory(username=f"u-{department.code}"), role=Role.HANDLER, department=department)
    for region in (meixian.county, meixian.huaiya, meixian.province):
        old = set(
            Membership.objects.filter(department__region__path__startswith=region.path).values_list("pk", flat=True)
        )
        new = set(Membership.objects.filter(_subtree_q("department__region", region.path)).values_list("pk", flat=True))
        assert new == old and old


def test_a_leaders_scope_reads_the_big_table_by_region_id_not_by_a_like_on_a_join(meixian, leader):
    _world(meixian)
    qs = scope_for(leader).filter(Department.objects.all(), "appeal.dashboard", department=None, region="region")
    sql = str(qs.query).replace("U0.", "")
    if connection.vendor == "postgresql":
        # the subtree's ids as an array evaluated once (an InitPlan), never a loop over the regions the
        # planner guesses at one row (``_InRegions``)
        assert '"region_id" = ANY(ARRAY(SELECT' in sql
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN " + str(qs.query.sql_with_params()[0]), qs.query.sql_with_params()[1])
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert "InitPlan" in plan and "Nested Loop" not in plan, plan
    else:
        assert '"region_id" IN (SELECT' in sql
    assert 'INNER JOIN "org_region"' not in sql
    assert set(qs.values_list("code", flat=True)) == set(
        Department.objects.filter(Q(region__path__startswith=meixian.county.path)).values_list("code", flat=True)
    )

"""The demo seed on a small database: older licences for the credit register's entities (营业执照 on
the establishment day, the trade's permits, a deregistered entity's licences revoked), signed and
verifiable, uses and roll-ups consistent; a second run adds nothing; entities registered after a run
get theirs on the next."""

import datetime as dt

from yiwang.core.identifiers import make_uscc
from yiwang.licences import measures
from yiwang.licences.demo import seed
from yiwang.licences.models import Licence, LicenceState, LicenceType
from yiwang.licences.selectors import Verdict, licence_verify
from yiwang.measures.selectors import measures_check
from yiwang.org.tests.factories import DepartmentFactory


def test_the_demo_seed_is_signed_consistent_and_idempotent(meixian):
    from yiwang.credit.models import Entity

    DepartmentFactory(
        code="market-regulation", name="眉县市场监督管理局", short_name="县市场监管局", region=meixian.county
    )
    DepartmentFactory(code="health", name="眉县卫生健康局", short_name="县卫健局", region=meixian.county)
    for i, name in enumerate(["眉县齐峰果业有限公司", "眉县金渠镇宏达农资店", "眉县汤峪温泉酒店有限公司"]):
        Entity.objects.create(uscc=make_uscc(f"91610326MA6Y{i:05d}"), name=name, region=meixian.county)

    seed()
    licences = list(Licence.objects.select_related("licence_type", "department", "key"))
    assert LicenceType.objects.filter(code__in=["yyzz", "spjy", "qsxk"]).count() == 3
    assert len(licences) == 3 and {lic.holder_name for lic in licences} >= {"眉县齐峰果业有限公司"}
    assert all(licence_verify(lic).verdict in (Verdict.GENUINE, Verdict.EXPIRED, Verdict.REVOKED) for lic in licences)
    assert measures_check(metrics=[measures.ISSUED, measures.REUSED, measures.REVOKED]) == []
    seed()
    assert Licence.objects.count() == 3

    # Registered after the first run (the credit demo ran later): a hotel with its permits, and a
    # deregistered barber whose licences stand revoked.
    hotel = Entity.objects.create(
        uscc=make_uscc("91610326MA6Y10001"),
        name="眉县太白山秦岭宾馆有限公司",
        region=meixian.county,
        industry_code="H6110",
        established_on=dt.date(2015, 4, 8),
        address="眉县汤峪镇汤峪村",
    )
    barber = Entity.objects.create(
        uscc=make_uscc("92610326MA6Y10002"),
        name="眉县首善王芳理发店",
        region=meixian.county,
        industry_code="O8010",
        status=Entity.Status.CANCELLED,
    )
    seed()
    of_hotel = {lic.licence_type.code: lic for lic in Licence.objects.filter(holder_uscc=hotel.uscc)}
    assert set(of_hotel) == {"yyzz", "ggws", "tzhy", "qsxk"}
    assert of_hotel["yyzz"].issued_on == dt.date(2015, 4, 8) and of_hotel["yyzz"].valid_until is None
    assert of_hotel["yyzz"].fields["address"] == "眉县汤峪镇汤峪村" and "住宿" in of_hotel["yyzz"].fields["scope"]
    assert of_hotel["ggws"].department.code == "health"
    assert of_hotel["ggws"].issued_on > dt.date(2015, 4, 8)  # renewed every four years, or lapsed
    of_barber = list(Licence.objects.filter(holder_uscc=barber.uscc))
    assert len(of_barber) == 2 and all(lic.state == LicenceState.REVOKED for lic in of_barber)
    assert {lic.revoked_reason for lic in of_barber} == {"市场主体已注销"}
    assert measures_check(metrics=[measures.ISSUED, measures.REUSED, measures.REVOKED]) == []
    count = Licence.objects.count()
    seed()
    assert Licence.objects.count() == count == 9

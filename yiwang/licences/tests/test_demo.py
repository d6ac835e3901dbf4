"""The demo seed on a small database: older licences for the credit register's entities, signed and
verifiable, uses and roll-ups consistent; a second run adds nothing."""

from yiwang.core.identifiers import make_uscc
from yiwang.licences import measures
from yiwang.licences.demo import seed
from yiwang.licences.models import Licence, LicenceType
from yiwang.licences.selectors import Verdict, licence_verify
from yiwang.measures.selectors import measures_check
from yiwang.org.tests.factories import DepartmentFactory


def test_the_demo_seed_is_signed_consistent_and_idempotent(meixian):
    from yiwang.credit.models import Entity

    DepartmentFactory(
        code="market-regulation", name="眉县市场监督管理局", short_name="县市场监管局", region=meixian.county
    )
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

import datetime as dt

import pytest
from django.utils import timezone

from yiwang.core.audit import AuditEvent
from yiwang.core.errors import ApplicationError
from yiwang.licences.models import HolderKind, Licence, LicenceState, SigningKey
from yiwang.licences.services import add_years, licence_issue
from yiwang.licences.signing import canonical_bytes, canonical_dict, sm2_verify
from yiwang.licences.tests.conftest import COMPANY_USCC, PERSON_ID


def test_it_issues_numbers_and_signs(company_licence, dept_a):
    licence = Licence.objects.get(pk=company_licence.pk)
    assert licence.number == f"610326-YYZZ-{timezone.localdate().year}-{licence.pk:07d}"
    assert licence.holder_kind == HolderKind.ENTERPRISE and licence.holder_uscc == COMPANY_USCC
    assert licence.state == LicenceState.VALID and licence.valid_until is None  # 长期有效
    assert licence.key.department == dept_a and licence.key.active
    data = canonical_bytes(canonical_dict(licence))
    assert sm2_verify(public_key=licence.key.public_key, signature=licence.signature, data=data)
    assert AuditEvent.objects.filter(action="licence.issued", object_id=str(licence.pk)).count() == 1
    assert AuditEvent.objects.filter(action="licence.key_created").count() == 1


def test_it_stores_a_person_id_encrypted_and_hashed(person_licence):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("select holder_id_number from licences_licence where id = %s", [person_licence.pk])
        stored = cursor.fetchone()[0]
    assert PERSON_ID not in stored and stored.startswith("sm4$1$")
    assert Licence.objects.get(pk=person_licence.pk).holder_id_number == PERSON_ID
    # The type's validity: 5 years, ending the day before the anniversary.
    assert person_licence.valid_until == add_years(person_licence.issued_on, 5) - dt.timedelta(days=1)


def test_it_reuses_the_department_key(company_licence, business_type, dept_a):
    second = licence_issue(
        licence_type=business_type,
        holder_name="眉县齐峰果业有限公司",
        holder_uscc=COMPANY_USCC,
        fields={"entity_name": "眉县齐峰果业有限公司", "scope": "水果销售"},
        department=dept_a,
        actor=None,
    )
    assert second.key_id == company_licence.key_id
    assert SigningKey.objects.filter(department=dept_a).count() == 1


@pytest.mark.parametrize(
    "change, code",
    [
        ({"holder_name": " "}, "licence.holder_required"),
        ({"holder_uscc": "91610326MA6Y3K5P3"}, "licence.uscc_invalid"),
        ({"holder_uscc": "", "holder_id_number": "610326197506180210"}, "licence.id_number_invalid"),
        ({"holder_uscc": ""}, "licence.holder_id_required"),
        ({"fields": {"entity_name": "某公司"}}, "licence.field_missing"),
        ({"fields": {"entity_name": "某公司", "scope": "x", "colour": "红"}}, "licence.field_unknown"),
        ({"fields": {"entity_name": "某公司", "scope": "x" * 501}}, "licence.field_too_long"),
        ({"fields": ["scope"]}, "licence.fields_invalid"),
        ({"valid_until": dt.date(2000, 1, 1)}, "licence.validity_invalid"),
    ],
)
def test_it_refuses_bad_input_and_changes_nothing(business_type, dept_a, change, code):
    kwargs = {
        "licence_type": business_type,
        "holder_name": "眉县秦岭猕猴桃专业合作社",
        "holder_uscc": COMPANY_USCC,
        "fields": {"entity_name": "眉县秦岭猕猴桃专业合作社", "scope": "猕猴桃"},
        "department": dept_a,
        "actor": None,
        **change,
    }
    with pytest.raises(ApplicationError) as caught:
        licence_issue(**kwargs)
    assert caught.value.code == code
    assert Licence.objects.count() == 0 and SigningKey.objects.count() == 0


def test_it_refuses_a_handler_of_another_department(business_type, dept_a, handler_b):
    with pytest.raises(ApplicationError) as caught:
        licence_issue(
            licence_type=business_type,
            holder_name="眉县秦岭猕猴桃专业合作社",
            holder_uscc=COMPANY_USCC,
            fields={"entity_name": "眉县秦岭猕猴桃专业合作社", "scope": "猕猴桃"},
            department=dept_a,
            actor=handler_b,
        )
    assert caught.value.code == "licence.forbidden" and caught.value.status == 403
    assert not Licence.objects.exists()


def test_it_refuses_an_inactive_type(business_type, dept_a, handler_a):
    business_type.is_active = False
    business_type.save()
    with pytest.raises(ApplicationError) as caught:
        licence_issue(
            licence_type=business_type,
            holder_name="x",
            holder_uscc=COMPANY_USCC,
            fields={},
            department=dept_a,
            actor=handler_a,
        )
    assert caught.value.code == "licence.type_inactive"


def test_add_years_keeps_29_february_in_range():
    assert add_years(dt.date(2024, 2, 29), 1) == dt.date(2025, 2, 28)
    assert add_years(dt.date(2024, 3, 1), 5) == dt.date(2029, 3, 1)

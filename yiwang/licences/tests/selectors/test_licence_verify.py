"""Signatures: genuine, tampered (one field changed), revoked, expired, rotated key, unknown."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from yiwang.licences.models import Licence, SigningKey
from yiwang.licences.selectors import Verdict, check_code, licence_verify, licence_verify_number
from yiwang.licences.services import licence_issue, licence_revoke, licences_expire, signing_key_rotate
from yiwang.licences.signing import canonical_bytes, canonical_dict, sm2_keypair, sm2_sign, sm2_verify
from yiwang.licences.tests.conftest import PERSON_ID


def _fresh(licence) -> Licence:
    return Licence.objects.select_related("licence_type", "department", "key").get(pk=licence.pk)


def test_canonical_form_is_sorted_compact_utf8_with_iso_dates(person_licence):
    data = canonical_bytes(canonical_dict(person_licence))
    text = data.decode("utf-8")
    assert text.startswith('{"department":"market-regulation","fields":{"scope":"预包装食品销售"},"holder_id":"')
    assert " " not in text and "\\u" not in text
    parsed = json.loads(text)
    assert list(parsed) == sorted(parsed)
    assert parsed["issued_on"] == person_licence.issued_on.isoformat()
    assert parsed["valid_until"] == person_licence.valid_until.isoformat()
    # The ID number itself never enters the signed form, only its keyed hash.
    assert person_licence.holder_id_number not in text
    assert parsed["holder_id"] == person_licence.holder_id_number_hash


def test_sm2_signs_with_a_fresh_nonce_and_verifies():
    private, public = sm2_keypair()
    first = sm2_sign(private_key=private, public_key=public, data=b"licence")
    second = sm2_sign(private_key=private, public_key=public, data=b"licence")
    assert first != second  # a new k each time
    assert sm2_verify(public_key=public, signature=first, data=b"licence")
    assert sm2_verify(public_key=public, signature=second, data=b"licence")
    assert not sm2_verify(public_key=public, signature=first, data=b"licencf")
    assert not sm2_verify(public_key=public, signature="zz" * 64, data=b"licence")
    assert not sm2_verify(public_key=public, signature=first[:-2], data=b"licence")
    _, other = sm2_keypair()
    assert not sm2_verify(public_key=other, signature=first, data=b"licence")


def test_it_verifies_a_genuine_licence(company_licence):
    result = licence_verify_number(company_licence.number, check=check_code(company_licence))
    assert result.verdict == Verdict.GENUINE and result.label == "有效" and result.signature_ok


@pytest.mark.parametrize(
    "column, value",
    [
        ("fields", {"entity_name": "眉县秦岭猕猴桃专业合作社", "scope": "猕猴桃种植、收购、销售、进出口"}),
        ("holder_name", "眉县秦岭猕猴桃专业合作社（伪）"),
        ("valid_until", dt.date(2099, 12, 31)),
        ("issued_on", dt.date(2020, 1, 2)),
        ("holder_uscc", "91610326MA6X8Q2L7X"),
    ],
)
def test_one_changed_field_makes_it_tampered(company_licence, column, value):
    Licence.objects.filter(pk=company_licence.pk).update(**{column: value})
    result = licence_verify(_fresh(company_licence))
    assert result.verdict == Verdict.TAMPERED and not result.signature_ok
    # Nothing of a tampered record is shown as if it were true.
    assert set(result.public()) == {"verdict", "label", "signature_ok", "number"}


def test_a_wrong_check_code_in_the_qr_url_is_tampered(company_licence):
    assert licence_verify_number(company_licence.number, check="0" * 16).verdict == Verdict.TAMPERED


def test_a_revoked_licence_is_genuine_but_revoked(company_licence, handler_a):
    licence_revoke(licence=company_licence, actor=handler_a, reason="申请人申请注销")
    result = licence_verify_number(company_licence.number)
    assert result.verdict == Verdict.REVOKED and result.signature_ok
    assert result.public()["revoked_on"] == timezone.localdate().isoformat()


def test_an_expired_licence_is_expired_before_and_after_the_sweep(food_type, dept_b):
    today = timezone.localdate()
    licence = licence_issue(
        licence_type=food_type,
        holder_name="李建国",
        holder_id_number=PERSON_ID,
        fields={"scope": "预包装食品销售"},
        department=dept_b,
        issued_on=today - dt.timedelta(days=400),
        valid_until=today - dt.timedelta(days=1),
        actor=None,
    )
    assert licence_verify(_fresh(licence)).verdict == Verdict.EXPIRED  # by date, before the sweep
    assert licences_expire(today=today) == 1
    assert licences_expire(today=today) == 0
    fresh = _fresh(licence)
    assert fresh.state == "expired"
    assert licence_verify(fresh).verdict == Verdict.EXPIRED


def test_a_rotated_key_still_verifies_the_old_licence(company_licence, business_type, dept_a, admin_user):
    old_key = company_licence.key
    new_key = signing_key_rotate(department=dept_a, actor=admin_user)
    assert new_key.pk != old_key.pk
    old_key.refresh_from_db()
    assert not old_key.active and old_key.retired_at is not None
    assert SigningKey.objects.filter(department=dept_a, active=True).get() == new_key
    assert licence_verify_number(company_licence.number).verdict == Verdict.GENUINE
    newer = licence_issue(
        licence_type=business_type,
        holder_name="眉县齐峰果业有限公司",
        holder_uscc=company_licence.holder_uscc,
        fields={"entity_name": "眉县齐峰果业有限公司", "scope": "水果销售"},
        department=dept_a,
        actor=None,
    )
    assert newer.key == new_key
    assert licence_verify_number(newer.number).verdict == Verdict.GENUINE


def test_only_an_administrator_rotates_keys(dept_a, handler_a):
    from yiwang.core.errors import ApplicationError

    with pytest.raises(ApplicationError) as caught:
        signing_key_rotate(department=dept_a, actor=handler_a)
    assert caught.value.status == 403 and not SigningKey.objects.exists()


def test_an_unknown_number_is_unknown(db):
    result = licence_verify_number("610326-YYZZ-2026-9999999")
    assert result.verdict == Verdict.UNKNOWN and result.public()["label"] == "查无此证"


def test_a_person_name_is_masked_and_no_id_number_is_shown(person_licence):
    public = licence_verify_number(person_licence.number).public()
    assert public["holder_name"] == "李**" and public["holder_uscc"] == ""
    assert person_licence.holder_id_number not in json.dumps(public, ensure_ascii=False)


def test_signatures_interoperate_with_gmssl_sign_with_sm3():
    """Our e = SM3(Z || M) is gmssl's: each verifies the other's signatures."""
    import secrets

    from gmssl import sm2

    private, public = sm2_keypair()
    reference = sm2.CryptSM2(private_key=private, public_key="")
    reference.public_key = public
    theirs = reference.sign_with_sm3(b"canonical", secrets.token_hex(32))
    assert sm2_verify(public_key=public, signature=theirs, data=b"canonical")
    ours = sm2_sign(private_key=private, public_key=public, data=b"canonical")
    assert reference.verify_with_sm3(ours, b"canonical")
    assert not reference.verify_with_sm3(ours, b"canonicaL")


def test_the_fixed_base_table_agrees_with_gmssl():
    """k·G from the comb table equals gmssl's own scalar multiplication, edge cases included."""
    import secrets

    from gmssl import sm2

    from yiwang.licences.signing import fixed_base_multiply

    reference = sm2.CryptSM2(private_key="", public_key="")
    g, n = sm2.default_ecc_table["g"], int(sm2.default_ecc_table["n"], 16)
    scalars = [1, 2, 3, 15, 16, 17, 255, 256, 2**252, n // 2, n - 2, n - 1]
    scalars += [secrets.randbelow(n - 1) + 1 for _ in range(20)]
    for k in scalars:
        assert fixed_base_multiply(k) == reference._kg(k, g), k


def test_the_variable_base_multiplication_agrees_with_gmssl():
    import secrets

    from gmssl import sm2

    from yiwang.licences.signing import point_multiply

    reference = sm2.CryptSM2(private_key="", public_key="")
    n = int(sm2.default_ecc_table["n"], 16)
    for _ in range(4):
        _, public = sm2_keypair()
        for k in [1, 2, 15, 16, n - 1, *(secrets.randbelow(n - 1) + 1 for _ in range(5))]:
            assert point_multiply(k, public) == reference._kg(k, public), k

import pytest
from django.core.exceptions import FieldError
from django.db import connection
from django.template import Context, Template

from yiwang.core import pii
from yiwang.core.models import OutboxMessage
from yiwang.core.pii import (
    PiiError,
    mask_id_number,
    mask_name,
    mask_phone,
    normalize_for_lookup,
    pii_decrypt,
    pii_encrypt,
    pii_lookup,
    pii_lookup_hash,
)

OTHER_KEY = "ff" * 32


def _raw_column(pk: int, column: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM core_outboxmessage WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def _sms(recipient: str, **kwargs) -> OutboxMessage:
    return OutboxMessage.objects.create(channel="sms", recipient=recipient, body="您的申请已受理", **kwargs)


def test_it_round_trips_a_value():
    token = pii_encrypt("610326199001011234")
    assert token.startswith("sm4$1$")
    assert "610326199001011234" not in token
    assert pii_decrypt(token) == "610326199001011234"


def test_it_gives_equal_values_different_ciphertexts():
    assert pii_encrypt("13812345678") != pii_encrypt("13812345678")


def test_it_refuses_an_edited_ciphertext():
    prefix, version, iv, ciphertext, tag = pii_encrypt("13812345678").split("$")
    flipped = ("B" if ciphertext[0] != "B" else "C") + ciphertext[1:]
    with pytest.raises(PiiError, match="密文被修改"):
        pii_decrypt("$".join([prefix, version, iv, flipped, tag]))


def test_it_refuses_a_value_encrypted_under_another_key(settings):
    token = pii_encrypt("13812345678")
    settings.PII_KEY = OTHER_KEY
    with pytest.raises(PiiError, match="不同的 PII_KEY"):
        pii_decrypt(token)


@pytest.mark.parametrize("token", ["13812345678", "sm4$1$abc", "sm4$1$!!$!!$!!"])
def test_it_refuses_malformed_values(token):
    with pytest.raises(PiiError):
        pii_decrypt(token)


def test_it_normalises_before_hashing():
    assert normalize_for_lookup(" １１０１０５ 1949-1231 002x ") == "11010519491231002X"
    assert pii_lookup_hash("11010519491231002x") == pii_lookup_hash("110105 19491231 002X")
    assert pii_lookup_hash("138 1234 5678") == pii_lookup_hash("13812345678")
    assert pii_lookup_hash("13812345678") != pii_lookup_hash("13812345679")
    assert pii_lookup_hash("") == pii_lookup_hash(None) == ""


def test_it_keys_the_lookup_hash(settings):
    # Without the key nobody can test candidate ID numbers against the hash column.
    before = pii_lookup_hash("13812345678")
    settings.PII_KEY = OTHER_KEY
    assert pii_lookup_hash("13812345678") != before
    assert len(before) == 64


@pytest.mark.django_db
def test_it_never_writes_plaintext_to_the_column():
    message = _sms("13812345678")
    raw = _raw_column(message.pk, "recipient")
    assert raw.startswith("sm4$1$")
    assert "13812345678" not in raw
    assert OutboxMessage.objects.get(pk=message.pk).recipient == "13812345678"


@pytest.mark.django_db
def test_it_finds_a_row_by_exact_value_through_the_hash():
    wanted = _sms("13812345678")
    _sms("13900000000")
    found = OutboxMessage.objects.filter(**pii_lookup("recipient", "138 1234 5678"))
    assert list(found) == [wanted]
    assert _raw_column(wanted.pk, "recipient_hash") == pii_lookup_hash("13812345678")


@pytest.mark.django_db
def test_it_keeps_the_hash_in_sync_on_every_save_path():
    message = _sms("13812345678")
    message.recipient = "13900000000"
    message.save(update_fields=["recipient", "recipient_hash"])
    assert _raw_column(message.pk, "recipient_hash") == pii_lookup_hash("13900000000")

    [bulk] = OutboxMessage.objects.bulk_create([OutboxMessage(channel="sms", recipient="13700000000", body="x")])
    assert OutboxMessage.objects.filter(**pii_lookup("recipient", "13700000000")).count() == 1

    bulk.recipient = "13600000000"
    OutboxMessage.objects.bulk_update([bulk], ["recipient", "recipient_hash"])
    assert OutboxMessage.objects.get(**pii_lookup("recipient", "13600000000")).pk == bulk.pk


@pytest.mark.django_db
def test_it_refuses_sql_comparisons_on_the_ciphertext():
    _sms("13812345678")
    with pytest.raises(FieldError, match="pii_lookup"):
        OutboxMessage.objects.filter(recipient="13812345678").count()
    with pytest.raises(FieldError):
        OutboxMessage.objects.filter(recipient__startswith="138").count()
    assert OutboxMessage.objects.filter(recipient__isnull=False).count() == 1


@pytest.mark.django_db
def test_it_reports_a_tampered_column_when_loading():
    message = _sms("13812345678")
    other = pii_encrypt("13900000000")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_outboxmessage SET recipient = %s WHERE id = %s", [other[:-4] + "AAAA", message.pk])
    with pytest.raises(PiiError):
        OutboxMessage.objects.get(pk=message.pk)


def test_it_offers_a_one_line_form_field():
    form_field = OutboxMessage._meta.get_field("recipient").formfield()
    assert form_field.max_length == 254
    assert form_field.widget.input_type == "text"


@pytest.mark.parametrize(
    ("mask", "value", "expected"),
    [
        (mask_id_number, "610326199001011234", "6103**********1234"),
        (mask_id_number, "11010519491231002X", "1101**********002X"),
        (mask_id_number, "123", "***"),
        (mask_phone, "13812345678", "138****5678"),
        (mask_phone, "0917-5512345", "091*****2345"),
        (mask_name, "张三", "张*"),
        (mask_name, "欧阳娜娜", "欧***"),
        (mask_name, "王", "*"),
        (mask_name, None, ""),
        (mask_phone, "", ""),
    ],
)
def test_it_masks(mask, value, expected):
    assert mask(value) == expected


def test_it_masks_in_templates():
    template = Template("{% load pii %}{{ id|mask_id }} {{ phone|mask_phone }} {{ name|mask_name }}")
    rendered = template.render(Context({"id": "610326199001011234", "phone": "13812345678", "name": "张三"}))
    assert rendered == "6103**********1234 138****5678 张*"


def test_it_derives_three_separate_keys():
    enc_key, lookup_key, mac_key = pii._keys(pii.settings.PII_KEY)
    raw = bytes.fromhex(pii.settings.PII_KEY)
    assert enc_key == raw[:16] and lookup_key == raw[16:]
    assert mac_key not in (enc_key, lookup_key) and len(mac_key) == 32

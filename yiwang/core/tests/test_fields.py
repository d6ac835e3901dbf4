from django.db import models
from django.test.utils import isolate_apps

from yiwang.core.fields import EncryptedCharField, PiiHashField


@isolate_apps("yiwang.core")
def test_it_points_out_a_misused_encrypted_field():
    class Applicant(models.Model):
        id_number = EncryptedCharField(max_length=18, unique=True)
        phone = EncryptedCharField(max_length=11)
        mobile_hash = PiiHashField()

        class Meta:
            app_label = "core"

        def __str__(self) -> str:
            return "申请人"

    id_errors = Applicant._meta.get_field("id_number").check()
    hash_errors = Applicant._meta.get_field("mobile_hash").check()
    assert [e.id for e in id_errors] == ["core.E001"]
    assert [e.id for e in hash_errors] == ["core.E002"]


@isolate_apps("yiwang.core")
def test_it_accepts_a_named_source():
    class Applicant(models.Model):
        phone = EncryptedCharField(max_length=11)
        phone_lookup = PiiHashField(source="phone")

        class Meta:
            app_label = "core"

        def __str__(self) -> str:
            return "申请人"

    field = Applicant._meta.get_field("phone_lookup")
    assert field.check() == []
    assert Applicant(phone="13812345678").phone_lookup == Applicant(phone="138 1234 5678").phone_lookup


def test_it_deconstructs_to_what_it_was_given():
    for field in (PiiHashField(), PiiHashField(source="phone"), PiiHashField(db_index=False)):
        name, path, args, kwargs = field.deconstruct()
        rebuilt = PiiHashField(*args, **kwargs)
        assert path == "yiwang.core.fields.PiiHashField"
        assert (rebuilt.max_length, rebuilt.db_index, rebuilt.editable, rebuilt.source) == (
            field.max_length,
            field.db_index,
            field.editable,
            field.source,
        )
    assert PiiHashField().deconstruct()[3] == {}

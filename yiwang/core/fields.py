"""Model fields for personal data encrypted at rest (see ``yiwang.core.pii`` for the crypto).

Declare the encrypted field and, when rows must be found by it, its companion hash column::

    id_number = EncryptedCharField("身份证号码", max_length=18)
    id_number_hash = PiiHashField()          # source defaults to the name without "_hash"

    Applicant.objects.filter(**pii_lookup("id_number", "610326199001011234"))

- ``EncryptedCharField`` holds plaintext on the instance; the column holds ``sm4$1$…`` (a text
  column, because the ciphertext is longer than the value; ``max_length`` limits the plaintext).
  It supports no SQL lookup other than ``isnull``: a random IV makes equal values differ, so an
  ``exact`` filter could never match and is refused with a pointer to ``pii_lookup``.
- ``PiiHashField`` always reads as the lookup hash of its source's current value, so it is right
  in memory and on every save path that goes through the model (``save``, ``create``,
  ``bulk_create``, ``bulk_update``). Two paths bypass the model and must name both columns:
  ``save(update_fields=[…])`` and ``bulk_update(objs, […])`` must list the hash field with the
  encrypted one, and ``QuerySet.update()`` must not be used to change an encrypted field.
"""

from django import forms
from django.core import checks, validators
from django.core.exceptions import FieldError
from django.db import models

from yiwang.core.pii import pii_decrypt, pii_encrypt, pii_lookup_hash

_ALLOWED_LOOKUPS = {"isnull"}


class EncryptedCharField(models.TextField):
    description = "SM4-encrypted text"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.max_length is not None:
            self.validators.append(validators.MaxLengthValidator(self.max_length))

    def check(self, **kwargs):
        errors = super().check(**kwargs)
        for flag in ("unique", "db_index", "primary_key"):
            if getattr(self, flag):
                errors.append(
                    checks.Error(
                        f"EncryptedCharField cannot be {flag}: ciphertexts of equal values differ.",
                        hint="Index or constrain the companion PiiHashField instead.",
                        obj=self,
                        id="core.E001",
                    )
                )
        return errors

    def get_lookup(self, lookup_name):
        if lookup_name not in _ALLOWED_LOOKUPS:
            raise FieldError(
                f"{self.model.__name__}.{self.name} 已加密，不能按 {lookup_name!r} 查询；"
                f"请用 pii_lookup({self.name!r}, 值) 通过哈希列精确查找。"
            )
        return super().get_lookup(lookup_name)

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return pii_decrypt(value)

    def to_python(self, value):
        if value is None or isinstance(value, str):
            return value
        return str(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return pii_encrypt(str(value))

    def formfield(self, **kwargs):
        # A one-line input, not the Textarea a TextField would get.
        defaults = {"form_class": forms.CharField, "max_length": self.max_length, "widget": forms.TextInput}
        if self.null:
            defaults["empty_value"] = None  # as CharField does: a blank answer stores NULL, not ""
        defaults.update(kwargs)
        return super(models.TextField, self).formfield(**defaults)


class _PiiHashDescriptor:
    """Reads as the lookup hash of the source field's current value; writes are kept only so the
    model does not treat the column as deferred."""

    def __init__(self, field):
        self.field = field

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        return pii_lookup_hash(getattr(instance, self.field.source))

    def __set__(self, instance, value):
        instance.__dict__[self.field.attname] = value


class PiiHashField(models.CharField):
    """Indexed HMAC-SM3 of an ``EncryptedCharField`` (normalised, see ``pii.normalize_for_lookup``)."""

    descriptor_class = _PiiHashDescriptor
    description = "Lookup hash of an encrypted field"

    def __init__(self, *args, source: str | None = None, **kwargs):
        self._explicit_source = source
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("db_index", True)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def contribute_to_class(self, cls, name, private_only=False):
        if self.source is None and name.endswith("_hash"):
            self.source = name.removesuffix("_hash")
        super().contribute_to_class(cls, name, private_only=private_only)

    def check(self, **kwargs):
        errors = super().check(**kwargs)
        try:
            source = self.model._meta.get_field(self.source or "")
        except Exception:
            source = None
        if not isinstance(source, EncryptedCharField):
            errors.append(
                checks.Error(
                    f"PiiHashField {self.name!r} needs an EncryptedCharField source on the same model.",
                    hint="Name it '<encrypted field>_hash' or pass source='…'.",
                    obj=self,
                    id="core.E002",
                )
            )
        return errors

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        # Leave out what __init__ fills in; spell out a Field default that differs from ours.
        field_defaults = {"db_index": False, "editable": True, "blank": False}
        for key, ours in (("max_length", 64), ("db_index", True), ("editable", False), ("blank", True)):
            current = kwargs.get(key, field_defaults.get(key))
            if current == ours:
                kwargs.pop(key, None)
            else:
                kwargs[key] = current
        if kwargs.get("default") == "":
            kwargs.pop("default")
        if self._explicit_source:
            kwargs["source"] = self._explicit_source
        return name, path, args, kwargs

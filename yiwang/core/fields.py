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

import json

from django import forms
from django.core import checks, validators
from django.core.exceptions import FieldError
from django.db import models

from yiwang.core.pii import mask_text, pii_decrypt, pii_encrypt, pii_lookup_hash, protect_text, reveal_text

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


# --- Free text whose phone and ID numbers are stored masked, the originals encrypted ------------


class PiiOriginalsField(EncryptedCharField):
    """The numbers typed into a model's protected text fields, SM4-encrypted as one JSON object
    ``{field name: originals}`` (see ``pii.protect_text``). Declare it AFTER the text fields: a
    row's values are collected in field order, and the text fields fill this one as they go."""

    description = "Encrypted originals of numbers masked in free text"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("verbose_name", "文本中的号码（加密）")
        super().__init__(*args, **kwargs)

    def from_db_value(self, value, expression, connection):
        value = super().from_db_value(value, expression, connection)
        return json.loads(value) if value else None

    def to_python(self, value):
        if isinstance(value, str) and value:
            return json.loads(value)
        return value

    def get_prep_value(self, value):
        if isinstance(value, str):
            value = json.loads(value) if value else None
        if not value:
            return None
        return pii_encrypt(json.dumps(value, ensure_ascii=False, sort_keys=True))

    def pre_save(self, model_instance, add):
        for field in model_instance._meta.concrete_fields:
            if isinstance(field, _PiiTextMixin) and field.originals == self.attname:
                field.protect(model_instance)
        return getattr(model_instance, self.attname)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        for key, ours in (("null", True), ("blank", True), ("editable", False)):
            if kwargs.get(key) == ours:
                kwargs.pop(key)
        return name, path, args, kwargs


class _PiiTextMixin:
    """Free text saved with its phone and ID numbers masked; with ``originals`` (the name of a
    ``PiiOriginalsField`` on the model) the numbers as typed are kept there, encrypted; without,
    they are dropped (history rows that quote a text kept in full elsewhere).

    Masking happens in ``pre_save``, so every path through the model masks (``save``, ``create``,
    ``bulk_create``); ``save(update_fields=[…])`` must name the originals field too, or the numbers
    are stored masked only. ``QuerySet.update()`` bypasses it and must not write these fields."""

    def __init__(self, *args, originals: str | None = None, **kwargs):
        self.originals = originals
        super().__init__(*args, **kwargs)

    def protect(self, instance):
        text = getattr(instance, self.attname)
        if isinstance(text, dict):
            return self._protect_mapping(instance, text)
        if self.originals is None:
            masked = mask_text(text) if text else text
        else:
            store = dict(getattr(instance, self.originals) or {})
            masked, kept = protect_text(text, store.get(self.name))
            if kept:
                store[self.name] = kept
            else:
                store.pop(self.name, None)
            setattr(instance, self.originals, store or None)
        if masked is not None and getattr(self, "max_length", None) and len(masked) > self.max_length:
            masked = masked[: self.max_length]  # a landline masks two characters longer
        setattr(instance, self.attname, masked)
        return masked

    def _protect_mapping(self, instance, mapping: dict) -> dict:
        """A form's answers (``{field: value}``): each text value protected on its own, its originals
        kept under ``<field name>.<key>``."""
        store = dict(getattr(instance, self.originals) or {}) if self.originals else {}
        masked_mapping = {}
        for key, value in mapping.items():
            slot = f"{self.name}.{key}"
            if not isinstance(value, str):
                masked_mapping[key] = value
                continue
            if self.originals is None:
                masked_mapping[key] = mask_text(value)
                continue
            masked_mapping[key], kept = protect_text(value, store.get(slot))
            if kept:
                store[slot] = kept
            else:
                store.pop(slot, None)
        if self.originals:
            setattr(instance, self.originals, store or None)
        setattr(instance, self.attname, masked_mapping)
        return masked_mapping

    def pre_save(self, model_instance, add):
        return self.protect(model_instance)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.originals:
            kwargs["originals"] = self.originals
        return name, path, args, kwargs


class PiiTextField(_PiiTextMixin, models.TextField):
    description = "Text with phone and ID numbers masked"


class PiiCharField(_PiiTextMixin, models.CharField):
    description = "Text with phone and ID numbers masked"


class PiiJSONField(_PiiTextMixin, models.JSONField):
    """A JSON object of answers (an application form) whose text values are protected one by one."""

    description = "Form answers with phone and ID numbers masked"


def revealed(instance, field_name: str):
    """The text of ``instance.<field_name>`` as typed (for the owner and the handler only); for a
    ``PiiJSONField`` the mapping with each text value as typed."""
    field = instance._meta.get_field(field_name)
    value = getattr(instance, field.attname)
    originals = (getattr(instance, field.originals, None) if getattr(field, "originals", None) else None) or {}
    if isinstance(value, dict):
        return {
            key: reveal_text(item, originals.get(f"{field.name}.{key}")) if isinstance(item, str) else item
            for key, item in value.items()
        }
    return reveal_text(value, originals.get(field.name))

"""``{% load pii %}{{ applicant.id_number|mask_id }}`` — public pages never show personal data in full.

``{{ appeal|unmasked:"content" }}``: free text stored with its phone and ID numbers masked, as typed —
only where the page has already decided the reader is the owner or the handler; elsewhere the
field itself (``{{ appeal.content }}``) is the masked text."""

from django import template

from yiwang.core.fields import revealed
from yiwang.core.pii import mask_id_number, mask_name, mask_phone

register = template.Library()


@register.filter
def mask_id(value) -> str:
    return mask_id_number(value)


register.filter("mask_phone", mask_phone)
register.filter("mask_name", mask_name)


@register.filter
def unmasked(instance, field_name: str):
    return revealed(instance, field_name) if instance is not None else ""

"""``{% load pii %}{{ applicant.id_number|mask_id }}`` — public pages never show personal data in full."""

from django import template

from yiwang.core.pii import mask_id_number, mask_name, mask_phone

register = template.Library()


@register.filter
def mask_id(value) -> str:
    return mask_id_number(value)


register.filter("mask_phone", mask_phone)
register.filter("mask_name", mask_name)

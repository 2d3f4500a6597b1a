from django import template

from baoxiu.accounts.matrix import may as matrix_may
from baoxiu.core.validators import mask_mobile, mask_name

register = template.Library()


@register.filter
def masked_phone(value: str) -> str:
    return mask_mobile(value or "")


@register.filter
def masked_name(value: str) -> str:
    return mask_name(value or "")


@register.filter
def may(user, action: str) -> bool:
    """``{% if user|may:"dispatch.board" %}``: the permission matrix's answer."""
    return matrix_may(user, action)

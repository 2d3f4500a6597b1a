from django import template

from baoxiu.core.validators import mask_mobile, mask_name

register = template.Library()


@register.filter
def masked_phone(value: str) -> str:
    return mask_mobile(value or "")


@register.filter
def masked_name(value: str) -> str:
    return mask_name(value or "")


@register.filter
def has_role(user, roles: str) -> bool:
    """``{% if user|has_role:"dispatcher,admin" %}``"""
    return bool(user and user.is_authenticated and user.has_role(*roles.split(",")))

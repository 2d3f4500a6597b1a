from __future__ import annotations

from baoxiu.core.errors import ValidationFailed
from baoxiu.customers.models import Customer
from baoxiu.customers.services import phone_index_for


def customer_by_phone(phone: str) -> Customer | None:
    try:
        index = phone_index_for(phone)
    except ValidationFailed:
        return None
    return Customer.objects.filter(phone_index=index).first()

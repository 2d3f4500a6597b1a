from __future__ import annotations

from decimal import Decimal

from django.db import IntegrityError, transaction

from baoxiu.core.crypto import blind_index
from baoxiu.core.validators import normalize_mobile
from baoxiu.customers.models import Address, Customer

PHONE_INDEX = "customer.phone"


def phone_index_for(phone: str) -> str:
    return blind_index(normalize_mobile(phone), purpose=PHONE_INDEX)


def customer_get_or_create(*, name: str, phone: str) -> Customer:
    """The customer with this phone number, created if new; a changed name is updated.

    Safe under concurrency: the unique blind index decides who creates the row.
    """
    phone = normalize_mobile(phone)
    index = blind_index(phone, purpose=PHONE_INDEX)
    existing = Customer.objects.filter(phone_index=index).first()
    if existing is None:
        try:
            with transaction.atomic():
                return Customer.objects.create(name=name, phone=phone, phone_index=index)
        except IntegrityError:
            existing = Customer.objects.get(phone_index=index)
    if name and existing.name != name:
        existing.name = name
        existing.save(update_fields=["name", "updated_at"])
    return existing


def address_create(
    *,
    customer: Customer,
    text: str,
    area_name: str = "",
    area_code: str = "",
    division_code: str | None = None,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
) -> Address:
    return Address.objects.create(
        customer=customer,
        text=text,
        area_name=area_name,
        area_code=area_code,
        division_id=division_code,
        latitude=latitude,
        longitude=longitude,
    )

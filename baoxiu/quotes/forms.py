"""The technician's quote builder: one row per price-list item, plus a free-text line."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from baoxiu.pricing.calculator import MAX_QUANTITY, LineRequest, PriceBook
from baoxiu.pricing.choices import ItemKind
from baoxiu.quotes.choices import PaymentMethod


class QuoteBuilderForm(forms.Form):
    """Fields ``qty__<kind>__<key>`` and ``price__<kind>__<key>`` per item in the
    book; the price starts at the published one and may only be lowered (the
    service refuses anything higher)."""

    free_name = forms.CharField(label=_("价目表外项目"), max_length=100, required=False)
    free_price = forms.DecimalField(
        label=_("单价（元）"), max_digits=10, decimal_places=2, min_value=0, required=False
    )
    free_quantity = forms.IntegerField(
        label=_("数量"), min_value=1, max_value=MAX_QUANTITY, required=False, initial=1
    )
    free_reason = forms.CharField(label=_("原因（必填）"), max_length=300, required=False)
    reason = forms.CharField(label=_("修改原因"), max_length=300, required=False)

    def __init__(self, *args, book: PriceBook, lock_model_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.book = book
        self.rows = []
        for kind in (ItemKind.LABOUR, ItemKind.PART):
            for item in book.of_kind(kind):
                if item.lock_model_id and lock_model_id and item.lock_model_id != lock_model_id:
                    continue
                qty_name, price_name = f"qty__{kind}__{item.key}", f"price__{kind}__{item.key}"
                self.fields[qty_name] = forms.IntegerField(
                    label=item.name, min_value=0, max_value=MAX_QUANTITY, required=False
                )
                self.fields[price_name] = forms.DecimalField(
                    label=_("单价"),
                    max_digits=10,
                    decimal_places=2,
                    min_value=0,
                    required=False,
                    initial=item.amount,
                )
                self.rows.append((item, self[qty_name], self[price_name]))

    def line_requests(self) -> list[LineRequest]:
        data = self.cleaned_data
        requests = []
        for item, qty_field, price_field in self.rows:
            quantity = data.get(qty_field.name) or 0
            if quantity:
                price = data.get(price_field.name)
                requests.append(
                    LineRequest(
                        kind=item.kind,
                        key=item.key,
                        quantity=quantity,
                        unit_price=price if price is not None else None,
                    )
                )
        if data.get("free_name") or data.get("free_price") is not None:
            requests.append(
                LineRequest(
                    kind="free",
                    name=data.get("free_name") or "",
                    unit_price=data.get("free_price"),
                    quantity=data.get("free_quantity") or 1,
                    reason=data.get("free_reason") or "",
                )
            )
        return requests

    def field_for(self, kind: str, key: str) -> str | None:
        name = f"price__{kind}__{key}"
        return name if name in self.fields else None


class PaymentForm(forms.Form):
    method = forms.ChoiceField(label=_("支付方式"), choices=PaymentMethod.choices)
    amount = forms.DecimalField(label=_("收款金额（元）"), max_digits=10, decimal_places=2)

"""The report form, shared by the public page and the agent console."""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from baoxiu.areas.selectors import address_placement
from baoxiu.catalog.selectors import fault_types_active, lock_models_active
from baoxiu.core.errors import ValidationFailed
from baoxiu.core.validators import normalize_mobile
from baoxiu.privacy.notice import NOTICE_VERSION
from baoxiu.tickets.services import MAX_ADDRESS, MAX_DESCRIPTION, MAX_NAME, TicketRequest


class TicketReportForm(forms.Form):
    name = forms.CharField(label=_("联系人"), max_length=MAX_NAME)
    phone = forms.CharField(label=_("手机号码"), max_length=20)
    address = forms.CharField(label=_("上门地址"), max_length=MAX_ADDRESS)
    area_name = forms.CharField(label=_("所在区县"), max_length=100, required=False)
    lock_model = forms.ModelChoiceField(
        label=_("锁具型号"), queryset=lock_models_active(), required=False, empty_label=_("不清楚")
    )
    fault_type = forms.ModelChoiceField(
        label=_("故障类型"), queryset=fault_types_active(), empty_label=None
    )
    description = forms.CharField(
        label=_("问题描述"),
        max_length=MAX_DESCRIPTION,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    # Shown only when the address names a place that exists in several cities.
    division = forms.ChoiceField(label=_("请选择所在地区"), required=False, choices=())
    consent = forms.BooleanField(
        label=_("我已阅读并同意《个人信息保护说明》"),
        error_messages={"required": _("请阅读并同意《个人信息保护说明》后提交。")},
    )
    # One id per rendered form: a double submit or a retry after a timeout
    # returns the ticket the first submit made.
    submission_id = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)

    error_messages_zh = {
        "required": _("此项为必填项。"),
        "max_length": _("内容过长，最多 %(limit_value)d 个字。"),
        "invalid_choice": _("请从列表中选择。"),
        "invalid": _("格式不正确。"),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name != "consent":
                field.error_messages.update(self.error_messages_zh)
        self.fields["phone"].widget.attrs.update({"inputmode": "tel", "autocomplete": "tel"})
        self.fields["name"].widget.attrs.update({"autocomplete": "name"})

    def clean_phone(self):
        try:
            return normalize_mobile(self.cleaned_data["phone"])
        except ValidationFailed as exc:
            raise forms.ValidationError(exc.message) from exc

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(self.error_messages_zh["required"])
        return name

    def clean(self):
        data = super().clean()
        if self.errors or "address" not in data:
            return data
        self.placement = address_placement(
            address_text=data["address"],
            area_name=data.get("area_name") or "",
            division_code=data.get("division") or "",
        )
        if self.placement.status == "ambiguous":
            self.fields["division"].choices = [("", _("请选择"))] + list(self.placement.candidates)
            self.fields["division"].required = True
            self.add_error(
                "division",
                _("地址中的地名在多个地区都有，请选择您所在的地区，或填写完整的省市区。"),
            )
        return data

    def full_clean(self):
        # A picked division must be one of the candidates the address allows;
        # offer them before validation so the choice is checked against them.
        picked = self.data.get(self.add_prefix("division")) if self.is_bound else None
        if picked:
            address = self.data.get(self.add_prefix("address"), "")
            area = self.data.get(self.add_prefix("area_name"), "")
            options = address_placement(address_text=address, area_name=area).candidates
            self.fields["division"].choices = list(options)
        super().full_clean()

    def to_request(self, *, channel: str) -> TicketRequest:
        data = self.cleaned_data
        return TicketRequest(
            name=data["name"],
            phone=data["phone"],
            address_text=data["address"],
            area_name=data.get("area_name") or "",
            fault_type=data["fault_type"],
            lock_model=data.get("lock_model"),
            description=data.get("description") or "",
            channel=channel,
            division_code=data.get("division") or "",
            consent_version=NOTICE_VERSION,
        )

from django import forms
from django.utils.translation import gettext_lazy as _

from baoxiu.pricing.choices import ItemKind


class PriceBoardForm(forms.Form):
    area = forms.CharField(
        label=_("所在城市或区县"),
        max_length=60,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("如：深圳市南山区")}),
    )


class PublishForm(forms.Form):
    effective_from = forms.DateTimeField(
        label=_("生效时间（留空为立即）"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )


class DraftForm(forms.Form):
    title = forms.CharField(label=_("新版本名称"), max_length=100)


class PriceItemForm(forms.Form):
    kind = forms.ChoiceField(label=_("类别"), choices=ItemKind.choices)
    key = forms.CharField(
        label=_("代码"),
        max_length=40,
        required=False,
        help_text=_("人工费填故障类型代码，配件填配件编号，其他费用可留空"),
    )
    name = forms.CharField(label=_("名称"), max_length=100, required=False)
    division_code = forms.CharField(
        label=_("区划代码"), max_length=9, required=False, help_text=_("留空为全国价")
    )
    amount = forms.DecimalField(label=_("价格（元）"), max_digits=10, decimal_places=2, min_value=0)
    free_km = forms.DecimalField(
        label=_("免费里程（公里，仅远程费）"), max_digits=6, decimal_places=1, required=False
    )
    lock_model = forms.CharField(label=_("仅适用型号代码"), max_length=40, required=False)

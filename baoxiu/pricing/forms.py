from django import forms
from django.utils.translation import gettext_lazy as _


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

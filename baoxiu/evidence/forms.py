from django import forms
from django.utils.translation import gettext_lazy as _

from baoxiu.evidence.choices import OldPartFate, PhotoKind


class PhotoForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=PhotoKind.choices)
    # A plain file field: the service opens it with Pillow and decides (files.py).
    photo = forms.FileField(label=_("照片"))
    caption = forms.CharField(label=_("说明"), max_length=100, required=False)


class PartForm(forms.Form):
    name = forms.CharField(label=_("配件名称"), max_length=100)
    code = forms.CharField(label=_("配件编码"), max_length=40, required=False)
    new_serial = forms.CharField(label=_("新件序列号"), max_length=60, required=False)
    old_serial = forms.CharField(label=_("旧件序列号"), max_length=60, required=False)
    old_part = forms.ChoiceField(label=_("旧件去向"), choices=OldPartFate.choices)


class CompletionCodeForm(forms.Form):
    completion_code = forms.CharField(label=_("客户完工码"), max_length=10)


class CompletionSignatureForm(forms.Form):
    # Filled by signature.js from the drawing pad (a PNG data URL).
    signature = forms.CharField(widget=forms.HiddenInput, required=False, max_length=1_500_000)


class ReviewForm(forms.Form):
    note = forms.CharField(label=_("审核说明"), max_length=500)

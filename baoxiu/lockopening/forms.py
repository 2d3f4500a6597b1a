from django import forms
from django.utils.translation import gettext_lazy as _

from baoxiu.lockopening.choices import WitnessKind


class LockOpeningForm(forms.Form):
    """The on-site register form. Every field is optional here: the record may be
    filled in over several visits to the page; the gate on 开始维修 checks it is complete."""

    id_consent = forms.BooleanField(
        label=_("客户已单独同意：为开锁登记采集其身份证号，仅用于本次登记，到期删除"),
        required=False,
    )
    id_number = forms.CharField(label=_("身份证号"), max_length=30, required=False)
    id_checked = forms.BooleanField(label=_("已当面核验身份证原件，与开锁人一致"), required=False)
    residence_photo = forms.FileField(
        label=_("居住证明照片（房产证、租赁合同、物业证明等）"), required=False
    )
    witness_kind = forms.ChoiceField(
        label=_("见证方式"), choices=[("", "—"), *WitnessKind.choices], required=False
    )
    witness_name = forms.CharField(label=_("见证人姓名"), max_length=30, required=False)
    police_reference = forms.CharField(label=_("公安备案/接警编号"), max_length=40, required=False)
    # Filled by signature.js from the drawing pad (a PNG data URL).
    signature = forms.CharField(widget=forms.HiddenInput, required=False, max_length=1_500_000)

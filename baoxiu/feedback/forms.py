from django import forms
from django.utils.translation import gettext_lazy as _

from baoxiu.feedback.choices import ComplaintKind


class ComplaintForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=ComplaintKind.choices)
    text = forms.CharField(
        label=_("内容"), max_length=1000, widget=forms.Textarea(attrs={"rows": 4})
    )


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("取消原因"), max_length=200)


class RatingForm(forms.Form):
    stars = forms.TypedChoiceField(
        label=_("评分"),
        coerce=int,
        choices=[(n, "★" * n) for n in range(5, 0, -1)],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("评价（选填）"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ComplaintHandleForm(forms.Form):
    reply = forms.CharField(label=_("处理结果"), max_length=500)

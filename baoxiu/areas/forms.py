from django import forms
from django.utils.translation import gettext_lazy as _

from baoxiu.workforce.models import Outlet


class CoverageImportForm(forms.Form):
    outlet = forms.ModelChoiceField(
        label=_("网点"), queryset=Outlet.objects.filter(active=True).order_by("code")
    )
    text = forms.CharField(
        label=_("服务区域（每行一个）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10, "placeholder": "本溪市南芬区\n东莞市谢岗镇"}),
    )
    upload = forms.FileField(label=_("或上传文本文件（UTF-8）"), required=False)
    emergency_available = forms.BooleanField(label=_("提供30分钟急修"), required=False)
    response_hours = forms.IntegerField(
        label=_("普通工单响应时限（小时）"), min_value=1, max_value=720, initial=24
    )

    def clean(self):
        data = super().clean()
        upload = data.get("upload")
        if upload:
            if upload.size > 512 * 1024:
                raise forms.ValidationError(_("文件过大（最多 512 KB）。"))
            try:
                data["text"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                raise forms.ValidationError(_("文件须为 UTF-8 编码的文本。")) from exc
        if not (data.get("text") or "").strip():
            raise forms.ValidationError(_("请粘贴或上传服务区域列表。"))
        return data

    def choices_from(self, post) -> dict[int, str]:
        """The candidate picked for each ambiguous line: fields named ``pick_<line>``."""
        picked = {}
        for key, value in post.items():
            if key.startswith("pick_") and key[5:].isdigit() and value:
                picked[int(key[5:])] = value
        return picked


class ServiceCheckForm(forms.Form):
    address = forms.CharField(
        label=_("您的地址"),
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": "如：东莞市谢岗镇 或 杭州市西湖区文三路90号"}),
    )

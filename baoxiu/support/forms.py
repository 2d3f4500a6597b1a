from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from baoxiu.support.models import MAX_MESSAGE
from baoxiu.tickets.forms import TicketReportForm
from baoxiu.tickets.services import TicketRequest


class CallTicketForm(TicketReportForm):
    """The report form on the call screen: the phone number is the caller's,
    taken from the call record, so the agent never sees it in full."""

    def __init__(self, *args, caller: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.caller = caller
        self.fields["phone"].required = False
        self.fields["phone"].widget = forms.HiddenInput()
        self.fields["phone"].label = _("手机号码：使用来电号码")
        self.fields["consent"].label = _("已向来电客户告知《个人信息保护说明》并获同意")

    def clean_phone(self):
        return self.caller

    def to_request(self, *, channel: str) -> TicketRequest:
        self.cleaned_data["phone"] = self.caller
        return super().to_request(channel=channel)


class CannedReplyForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=40)
    body = forms.CharField(
        label=_("内容"), max_length=MAX_MESSAGE, widget=forms.Textarea(attrs={"rows": 2})
    )

"""Place a pretend hotline call against a running server (demo): the fake
telephony client posts signed ringing (and, on request, answered/ended) events."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from baoxiu.support.telephony.fake import FakeTelephony


class Command(BaseCommand):
    help = "模拟一通来电：向本站的来电事件接口发送签名事件（演示用）。"

    def add_arguments(self, parser):
        parser.add_argument("--caller", required=True, help="主叫号码")
        parser.add_argument("--called", default="400-000-0101", help="被叫号码（热线）")
        parser.add_argument("--agent", default="", help="接听客服的用户名")
        parser.add_argument("--base-url", default=settings.PUBLIC_BASE_URL)
        parser.add_argument("--end", action="store_true", help="接着发送接听和挂断事件")

    def handle(self, *args, caller, called, agent, base_url, end, **options):
        phone = FakeTelephony(base_url=base_url)
        try:
            call_id = phone.ring(caller=caller, called=called, agent=agent)
        except (OSError, RuntimeError) as exc:
            raise CommandError(f"cannot reach {base_url}: {exc}") from exc
        self.stdout.write(f"ringing: {call_id}")
        if end:
            if agent:
                phone.answer(call_id=call_id, agent=agent)
            phone.hang_up(call_id=call_id, recording_ref=f"demo-recording/{call_id}")
            self.stdout.write(f"ended: {call_id}")

import logging
import sys
import time
import unicodedata
from contextlib import contextmanager

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.utils.translation import gettext as _

from baoxiu.demo import data
from baoxiu.demo.processes import supervise
from baoxiu.demo.selectors import demo_logins
from baoxiu.demo.services import DemoNotAllowed, demo_network_load


@contextmanager
def quiet_logger(name: str, level: int = logging.WARNING):
    """Hold back a logger's chatter (one line per fake SMS) for the duration."""
    logger = logging.getLogger(name)
    previous = logger.level
    logger.setLevel(level)
    try:
        yield
    finally:
        logger.setLevel(previous)


def pad(text: str, width: int) -> str:
    """Left-align ``text`` in ``width`` terminal columns (CJK characters take two)."""
    used = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(0, width - used)


class Command(BaseCommand):
    help = (
        "Demo: create tables, collect static files, load the fictional demo network "
        "(once), then serve it on HOST:PORT with a background worker until Ctrl-C."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--no-serve",
            action="store_true",
            help="Set everything up, then exit instead of serving.",
        )
        parser.add_argument(
            "--scale", type=float, default=1.0, help="Size of the demo network (1.0)."
        )

    def handle(self, *args, host, port, no_serve, scale, **options):
        verbosity = options["verbosity"]
        self.stdout.write(_("正在准备数据库和静态文件…"))
        call_command("migrate", interactive=False, verbosity=max(0, verbosity - 1))
        call_command("collectstatic", interactive=False, verbosity=max(0, verbosity - 1))

        self.stdout.write(_("正在载入演示网络…"))
        started = time.monotonic()
        try:
            with quiet_logger("baoxiu"):
                result = demo_network_load(scale=scale)
        except (DemoNotAllowed, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        counts = {
            "outlets": result.outlets,
            "technicians": result.technicians,
            "tickets": result.tickets,
        }
        if result.created:
            message = _(
                "演示网络已载入：%(outlets)d 个网点、%(technicians)d 位师傅、%(tickets)d 张工单"
                "（用时 %(seconds).1f 秒）。"
            ) % {**counts, "seconds": time.monotonic() - started}
        else:
            message = (
                _(
                    "演示网络已存在，直接使用：%(outlets)d 个网点、%(technicians)d 位师傅、"
                    "%(tickets)d 张工单。"
                )
                % counts
            )
        self.stdout.write(self.style.SUCCESS(message))

        if no_serve:
            self.stdout.write(self.banner(host, port, serving=False))
            return
        banner = self.banner(host, port, serving=True)
        # The children open their own connections; SQLite must not see ours held open.
        connections.close_all()
        cli = [sys.executable, "-m", "baoxiu.cli"]
        code = supervise(
            [cli + ["serve", "--host", host, "--port", str(port)], cli + ["worker"]],
            on_started=lambda: self.stdout.write(banner),
        )
        if code:
            raise CommandError(_("演示服务异常退出（退出码 %(code)d）。") % {"code": code})
        self.stdout.write(_("演示服务已停止。"))

    def banner(self, host: str, port: int, *, serving: bool) -> str:
        # A wildcard bind is reachable on the loopback address too.
        shown = "127.0.0.1" if host in {"0.0.0.0", "::", ""} else host  # noqa: S104
        base = f"http://{shown}:{port}"
        lines = [
            "",
            _("%(org)s · 演示环境") % {"org": data.ORGANISATION_NAME},
            f"  {pad(_('客户门户'), 10)} {base}/",
            f"  {pad(_('工作台'), 10)} {base}/console/",
            f"  {pad(_('管理后台'), 10)} {base}/admin/",
            f"  {pad(_('接口文档'), 10)} {base}/api/v1/docs",
            "",
            _("演示账号（密码均为 %(password)s，仅供演示，切勿用于正式环境）：")
            % {"password": data.DEMO_PASSWORD},
        ]
        for login in demo_logins():
            if login.count == 1:
                who = login.first
            else:
                who = _("%(first)s … %(last)s（共 %(count)d 个）") % {
                    "first": login.first,
                    "last": login.last,
                    "count": login.count,
                }
            if login.example:
                who += _("，例如 %(username)s 手上有在办工单") % {"username": login.example}
            lines.append(f"  {pad(str(login.role_label), 10)} {who}")
        lines.append("")
        if serving:
            lines.append(_("网站与后台任务已启动；按 Ctrl-C 停止。"))
        else:
            lines.append(_("已就绪（--no-serve：未启动服务）。启动：baoxiu demo"))
        return "\n".join(lines)

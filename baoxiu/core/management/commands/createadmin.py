import getpass
import os
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from baoxiu.accounts.services import admin_user_upsert

PASSWORD_ENV = "BAOXIU_ADMIN_PASSWORD"


class Command(BaseCommand):
    help = (
        "Create or update an administrator (superuser, role admin). The password comes "
        f"from --password, else ${PASSWORD_ENV}, else a prompt."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin", help="Login name (admin).")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--password",
            default=None,
            help=f"Visible to other local users in the process list; prefer ${PASSWORD_ENV}.",
        )

    def handle(self, *args, username, email, password, **options):
        password = password or os.environ.get(PASSWORD_ENV) or self._prompt()
        try:
            user, created = admin_user_upsert(username=username, password=password, email=email)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        verb = "created" if created else "updated"
        self.stdout.write(self.style.SUCCESS(f"Administrator {user.username} {verb}."))

    def _prompt(self) -> str:
        if not sys.stdin.isatty():
            raise CommandError(f"Give --password or set {PASSWORD_ENV} (no terminal to prompt).")
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise CommandError("The passwords did not match.")
        if not first:
            raise CommandError("The password may not be empty.")
        return first

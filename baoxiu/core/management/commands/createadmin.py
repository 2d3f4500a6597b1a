import getpass
import os
import sys

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from baoxiu.accounts.choices import Role
from baoxiu.accounts.models import User

PASSWORD_ENV = "BAOXIU_ADMIN_PASSWORD"


def admin_user_upsert(*, username: str, password: str, email: str = "") -> tuple[User, bool]:
    """Make ``username`` an active superuser with role admin and this password.

    Returns ``(user, created)``. The password is checked by the configured
    validators first; ValidationError leaves the database unchanged.
    """
    with transaction.atomic():
        user = User.objects.filter(username=username).first()
        created = user is None
        if created:
            user = User(username=username, display_name=username)
        validate_password(password, user)
        user.role = Role.ADMIN
        user.is_staff = True
        user.is_superuser = True
        user.is_active = True
        if email:
            user.email = email
        user.set_password(password)
        if created:
            user.save()
        else:
            user.save(
                update_fields=["role", "is_staff", "is_superuser", "is_active", "email", "password"]
            )
    return user, created


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

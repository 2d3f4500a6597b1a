"""``baoxiu privacy <subcommand>``: data-subject requests from the command line.

``baoxiu privacy export (--phone N | --ticket CODE) --actor USER --reason TEXT
[--output FILE]`` writes everything held about the customer as JSON (to
stdout, or to FILE created with mode 600) and records it in the audit log.

``baoxiu privacy erase (--phone N | --ticket CODE) --actor USER --reason TEXT
--yes`` deletes or blanks it, keeping rows under a legal retention period as
storage-only; the erasure is recorded in the audit log.

``baoxiu privacy purge`` runs the retention job now (it also runs hourly in
the worker) and prints what it removed.

``--actor`` names the operations or admin account answerable for the request.
"""

from __future__ import annotations

import json
import os

from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder


def _subject_arguments(parser):
    who = parser.add_mutually_exclusive_group(required=True)
    who.add_argument("--phone", help="the customer's mobile number")
    who.add_argument("--ticket", help="a ticket code of the customer")
    parser.add_argument("--actor", required=True, help="username answerable for the request")
    parser.add_argument("--reason", required=True, help="why (recorded in the audit log)")


class Command(BaseCommand):
    help = "Data-subject requests: export or erase a customer's data; purge expired records."

    def add_arguments(self, parser):
        subcommands = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        export = subcommands.add_parser("export", help="export a customer's data as JSON")
        _subject_arguments(export)
        export.add_argument("--output", "-o", help="file to write (default: stdout)")
        erase = subcommands.add_parser("erase", help="erase a customer's data")
        _subject_arguments(erase)
        erase.add_argument("--yes", action="store_true", help="confirm: this cannot be undone")
        subcommands.add_parser("purge", help="delete what has outlived its retention, now")

    def handle(self, *args, subcommand: str, **options):
        getattr(self, f"handle_{subcommand}")(**options)

    def _subject_and_actor(self, *, phone, ticket, actor):
        from baoxiu.accounts.models import User
        from baoxiu.core.errors import NotFound
        from baoxiu.privacy.subjects import subject_find

        user = User.objects.filter(username=actor, is_active=True).first()
        if user is None:
            raise CommandError(f"no active user {actor!r}")
        try:
            return subject_find(phone=phone or "", ticket_code=ticket or ""), user
        except NotFound as exc:
            raise CommandError(exc.message) from exc

    def handle_export(self, *, phone, ticket, actor, reason, output, **options):
        from baoxiu.core.errors import DomainError
        from baoxiu.privacy.subjects import subject_export

        customer, user = self._subject_and_actor(phone=phone, ticket=ticket, actor=actor)
        try:
            data = subject_export(customer=customer, actor=user, reason=reason)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        body = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
        if not output:
            self.stdout.write(body)
            return
        try:
            fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except OSError as exc:
            raise CommandError(f"cannot create {output}: {exc.strerror}") from exc
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(body + "\n")
        self.stderr.write(f"customer #{customer.pk}: export written to {output}")

    def handle_erase(self, *, phone, ticket, actor, reason, yes, **options):
        from baoxiu.core.errors import DomainError
        from baoxiu.privacy.subjects import subject_erase

        if not yes:
            raise CommandError("erasure cannot be undone: add --yes to confirm")
        customer, user = self._subject_and_actor(phone=phone, ticket=ticket, actor=actor)
        try:
            erasure = subject_erase(customer=customer, actor=user, reason=reason)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"customer #{erasure.customer_id} erased ({erasure.tickets} tickets)")
        for entry in erasure.kept:
            self.stdout.write(
                f"  kept storage-only: {entry['count']} × {entry['model']} "
                f"until {entry['keep_until']:%Y-%m-%d} ({entry['reason']})"
            )

    def handle_purge(self, **options):
        from baoxiu.privacy.retention import retention_purge

        for name, count in retention_purge().items():
            self.stdout.write(f"{name}: {count}")

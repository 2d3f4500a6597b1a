"""``baoxiu keys <subcommand>``: field-encryption keys.

``baoxiu keys status`` counts the sealed values of every encrypted column by
key id; a key that counts nothing may be removed from ``BAOXIU_FIELD_KEYS``.

``baoxiu keys generate [--id ID]`` prints a new ``id:base64`` key entry.

``baoxiu keys rotate [--to ID] [--batch-size N] [--pause S]`` re-encrypts
every value not sealed with the first key of ``BAOXIU_FIELD_KEYS`` while
the site runs (see ``baoxiu/core/keys.py`` and the README for the whole
procedure). ``--to`` refuses to start unless that id is the first key, which
catches a shell whose environment still names the old order. Stopping and
re-running is safe. Exits 1 if a value could not be opened with any key.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Field-encryption keys: status, generate, rotate."

    def add_arguments(self, parser):
        subcommands = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        subcommands.add_parser("status", help="sealed values per column and key id")
        generate = subcommands.add_parser("generate", help="print a new key entry")
        generate.add_argument("--id", default="", help="key id (default: k + a timestamp)")
        rotate = subcommands.add_parser("rotate", help="re-encrypt every value under the first key")
        rotate.add_argument("--to", default="", help="expected id of the first key")
        rotate.add_argument("--batch-size", type=int, default=500)
        rotate.add_argument("--pause", type=float, default=0.0, help="seconds between batches")

    def handle(self, *args, subcommand: str, **options):
        getattr(self, f"handle_{subcommand}")(**options)

    def handle_status(self, **options):
        from baoxiu.core.crypto import keyring
        from baoxiu.core.keys import field_keys_status

        ring = keyring()
        self.stdout.write(f"primary key: {ring.primary_id}; configured: {', '.join(ring.keys)}")
        totals = {}
        for column, counts in field_keys_status().items():
            shown = ", ".join(f"{key}={n}" for key, n in sorted(counts.items())) or "empty"
            self.stdout.write(f"{column}: {shown}")
            for key, n in counts.items():
                totals[key] = totals.get(key, 0) + n
        for key in ring.keys:
            if key != ring.primary_id and not totals.get(key):
                self.stdout.write(f"key {key} seals nothing: it may be removed")

    def handle_generate(self, *, id, **options):  # noqa: A002 - the option's name
        from django.utils import timezone

        from baoxiu.core.crypto import generate_field_key

        key_id = id or f"k{timezone.now():%Y%m%d%H%M}"
        if ":" in key_id or "$" in key_id or "," in key_id:
            raise CommandError("a key id may not contain ':', '$' or ','")
        self.stdout.write(f"{key_id}:{generate_field_key()}")

    def handle_rotate(self, *, to, batch_size, pause, **options):
        from baoxiu.core.crypto import keyring
        from baoxiu.core.keys import field_keys_rotate

        primary = keyring().primary_id
        if to and to != primary:
            raise CommandError(
                f"the first key of BAOXIU_FIELD_KEYS is {primary!r}, not {to!r}: "
                "put the new key first, then rotate"
            )
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        self.stdout.write(f"re-encrypting under key {primary}")

        def progress(result):
            self.stdout.write(
                f"  {result.column}: {result.rotated} re-encrypted"
                + (
                    f", {result.changed_meanwhile} edited meanwhile"
                    if result.changed_meanwhile
                    else ""
                )
            )

        results = field_keys_rotate(batch_size=batch_size, pause=pause, progress=progress)
        total = sum(r.rotated for r in results)
        unreadable = [(r.column, pk) for r in results for pk in r.unreadable]
        self.stdout.write(f"done: {total} values re-encrypted")
        if unreadable:
            for column, pk in unreadable:
                self.stderr.write(f"  {column} #{pk}: no configured key opens it")
            raise CommandError(f"{len(unreadable)} values could not be opened", returncode=1)

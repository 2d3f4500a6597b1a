"""``baoxiu areas <subcommand>``: the division table from the command line.

``baoxiu areas resolve`` reads one string per line on stdin and writes one JSON
object per line on stdout, in the same order (tooling depends on this
contract): at least ``input``, ``status`` (ok/ambiguous/unresolved), ``code``,
``level``, ``name`` and ``candidates`` (a list of ``{code, name}``). An empty
line gives an ``unresolved`` object, so the output always has as many lines
as the input.

``baoxiu areas import FILE --outlet CODE`` saves an outlet's coverage from a
service-area list (one place per line; ``-`` reads stdin), through the same
service as the console's import page. Lines that are ambiguous or unresolved
are not saved; they are printed, with their line numbers, and the command
exits 1 so scripts notice.

``baoxiu areas sync`` brings the database's division table in line with the
committed file (``migrate`` does this too).

Each subcommand has an ``add_<name>_arguments`` and a ``handle_<name>``
method; a new one is one more ``add_parser`` line and those two methods.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from typing import TextIO

from django.core.management.base import BaseCommand, CommandError

from baoxiu.areas import resolver


def resolve_lines(lines: Iterable[str], table: resolver.AreaTable) -> Iterator[str]:
    """One JSON document (no newline) per input line, in order."""
    for line in lines:
        resolution = table.resolve(line.rstrip("\r\n"))
        yield json.dumps(resolution.to_json(), ensure_ascii=False)


def resolve_stream(stdin: TextIO, stdout: TextIO, table: resolver.AreaTable) -> int:
    """Resolve ``stdin`` line by line onto ``stdout``; returns the number of lines.

    Each answer is flushed as it is written, so a caller may feed one line and
    wait for its answer.
    """
    count = 0
    for document in resolve_lines(stdin, table):
        stdout.write(document + "\n")
        stdout.flush()
        count += 1
    return count


def _utf8(stream: TextIO) -> TextIO:
    # The contract is UTF-8 whatever the locale says.
    if hasattr(stream, "reconfigure"):
        stream.reconfigure(encoding="utf-8", errors="replace")
    return stream


class Command(BaseCommand):
    help = "Administrative divisions: resolve place names, import coverage, sync the table."
    requires_system_checks: list[str] = []
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        subcommands = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        self.add_resolve_arguments(
            subcommands.add_parser(
                "resolve",
                help="resolve stdin, one string per line, to JSON lines on stdout",
                description=__doc__.split("\n\n")[1],
            )
        )

        self.add_import_arguments(
            subcommands.add_parser(
                "import",
                help="save an outlet's coverage from a service-area list",
                description=__doc__.split("\n\n")[2],
            )
        )
        subcommands.add_parser("sync", help="sync the division table from the committed file")

    def handle(self, *args, subcommand: str, **options):
        getattr(self, f"handle_{subcommand}")(**options)

    def add_resolve_arguments(self, parser):
        parser.add_argument(
            "--data-dir",
            default=None,
            help="directory holding divisions.tsv and history.tsv (default: the committed table)",
        )

    def handle_resolve(self, *, data_dir=None, stdin=None, stdout=None, **options):
        # Streams passed by call_command (tests) are used as they are.
        resolve_stream(
            stdin or _utf8(sys.stdin),
            stdout or _utf8(sys.stdout),
            resolver.get_table(data_dir),
        )

    def add_import_arguments(self, parser):
        parser.add_argument("file", help="UTF-8 text file, one place per line; - for stdin")
        parser.add_argument("--outlet", required=True, help="outlet code")
        parser.add_argument(
            "--emergency", action="store_true", help="the 30-minute emergency promise holds"
        )
        parser.add_argument(
            "--response-hours", type=int, default=24, help="normal response time (24)"
        )
        parser.add_argument(
            "--choose",
            action="append",
            default=[],
            metavar="LINE=CODE",
            help="the code picked for an ambiguous line (repeatable)",
        )

    def handle_import(self, *, file, outlet, emergency, response_hours, choose, **options):
        from baoxiu.areas.services import coverage_import
        from baoxiu.core.errors import DomainError
        from baoxiu.workforce.models import Outlet

        target = Outlet.objects.filter(code=outlet).first()
        if target is None:
            raise CommandError(f"no outlet with code {outlet!r}")
        choices = {}
        for item in choose:
            line, sep, code = item.partition("=")
            if not sep or not line.isdigit():
                raise CommandError(f"--choose takes LINE=CODE, not {item!r}")
            choices[int(line)] = code
        try:
            if file == "-":
                text = _utf8(sys.stdin).read()
            else:
                with open(file, encoding="utf-8-sig") as handle:
                    text = handle.read()
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"cannot read {file}: {exc}") from exc
        try:
            record = coverage_import(
                outlet=target,
                text=text,
                choices=choices,
                emergency_available=emergency,
                response_hours=response_hours,
                source=file if file != "-" else "stdin",
            )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            f"{target.code}: {record.lines_saved} of {record.lines_total} lines saved"
        )
        for skipped in record.skipped:
            self.stdout.write(f"  line {skipped['line']} {skipped['status']}: {skipped['input']}")
        if record.skipped:
            raise CommandError(f"{len(record.skipped)} lines not saved", returncode=1)

    def handle_sync(self, **options):
        from baoxiu.areas.services import divisions_sync

        count = divisions_sync()
        self.stdout.write(f"division table in sync: {count} divisions")

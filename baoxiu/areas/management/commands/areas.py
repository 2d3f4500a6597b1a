"""``baoxiu areas <subcommand>``: the division table from the command line.

``baoxiu areas resolve`` reads one string per line on stdin and writes one JSON
object per line on stdout, in the same order (tooling depends on this
contract): at least ``input``, ``status`` (ok/ambiguous/unresolved), ``code``,
``level``, ``name`` and ``candidates`` (a list of ``{code, name}``). An empty
line gives an ``unresolved`` object, so the output always has as many lines
as the input.

Each subcommand has an ``add_<name>_arguments`` and a ``handle_<name>``
method; a new one is one more ``add_parser`` line and those two methods.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from typing import TextIO

from django.core.management.base import BaseCommand

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
    help = "Administrative divisions: `areas resolve` turns place names into divisions."
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

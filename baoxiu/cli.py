"""The ``baoxiu`` command: one entry point for running a deployment.

``baoxiu <command> [options]`` runs the Django management command behind
``<command>`` (table below) with ``config.settings`` unless
``DJANGO_SETTINGS_MODULE`` says otherwise. ``baoxiu manage <anything>`` and
any name not in the table go straight to Django, as ``manage.py`` would.

``baoxiu demo`` first makes sure there is an environment file with freshly
generated keys. ``config.env`` reads that file when settings are imported, so
it is written here, before Django is set up; nothing in this module may
import ``config`` or Django settings before that.
"""

from __future__ import annotations

import base64
import os
import secrets
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_SETTINGS = "config.settings"


@dataclass(frozen=True)
class Subcommand:
    django_command: str
    help: str
    # Runs before Django is set up (e.g. to write the environment file).
    prepare: Callable[[], None] | None = None


def env_file_path() -> Path:
    """Where ``config.env`` looks for the environment file."""
    return Path(os.environ.get("BAOXIU_ENV_FILE", BASE_DIR / "var" / "baoxiu.env"))


def demo_env_values() -> dict[str, str]:
    """Fresh secrets for a demo: Django's secret key, a field-encryption key
    ring with one key, the blind-index key, and DEBUG on so that session and
    CSRF cookies work over plain http://127.0.0.1."""
    from baoxiu.core.crypto import generate_field_key

    return {
        "BAOXIU_SECRET_KEY": secrets.token_urlsafe(50),
        "BAOXIU_FIELD_KEYS": f"k1:{generate_field_key()}",
        "BAOXIU_BLIND_INDEX_KEY": base64.b64encode(secrets.token_bytes(32)).decode("ascii"),
        "BAOXIU_DEBUG": "1",
    }


def write_env_file(path: Path) -> bool:
    """Create ``path`` (mode 600) with fresh demo secrets; False if it already exists.

    An existing file is never touched: its keys decrypt the data already stored.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [
        "# Written by `baoxiu demo` with freshly generated keys. Demo use only:",
        "# DEBUG is on. Keep this file: the field keys decrypt the stored customer data.",
        *(f"{key}={value}" for key, value in demo_env_values().items()),
    ]
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    os.chmod(path, 0o600)  # the umask may have narrowed it further; never wider
    return True


def prepare_demo() -> None:
    """Make sure the demo has keys and a var/ directory before settings load.

    Skipped when the process environment already carries a secret key: that
    is a configured deployment, and a file turning DEBUG on must not appear
    beside it.
    """
    (BASE_DIR / "var").mkdir(exist_ok=True)
    if "BAOXIU_SECRET_KEY" in os.environ:
        return
    path = env_file_path()
    if write_env_file(path):
        print(f"baoxiu: wrote demo keys to {path}", file=sys.stderr)


COMMANDS: dict[str, Subcommand] = {
    "serve": Subcommand("serve", "serve the site with uvicorn (ASGI)"),
    "worker": Subcommand("run_worker", "run the background worker"),
    "migrate": Subcommand("migrate", "create or update the database tables"),
    "createadmin": Subcommand("createadmin", "create or update an administrator login"),
    "demo": Subcommand("demo", "load the demo network and serve it", prepare=prepare_demo),
    "check": Subcommand("check", "check the configuration"),
    "collectstatic": Subcommand("collectstatic", "collect static files into var/static"),
    "areas": Subcommand("areas", "divisions: resolve place names, import coverage, sync"),
    "privacy": Subcommand("privacy", "data-subject requests: export, erase, purge"),
    "keys": Subcommand("keys", "field-encryption keys: status, generate, rotate"),
}


def usage() -> str:
    width = max(len(name) for name in COMMANDS)
    lines = ["usage: baoxiu <command> [options]", "", "commands:"]
    lines += [f"  {name:<{width}}  {sub.help}" for name, sub in COMMANDS.items()]
    lines += [
        f"  {'bench':<{width}}  run a benchmark: baoxiu bench areas",
        f"  {'manage':<{width}}  any Django management command (baoxiu manage shell)",
        "",
        "`baoxiu <command> --help` shows a command's options.",
    ]
    return "\n".join(lines)


def django_argv(argv: list[str]) -> tuple[list[str], Subcommand | None]:
    """The ``manage.py``-style argument list for ``argv``, and its table entry if any."""
    name, rest = argv[0], argv[1:]
    if name == "manage":
        return ["baoxiu", *rest], None
    sub = COMMANDS.get(name)
    if sub is None:
        return ["baoxiu", *argv], None
    return ["baoxiu", sub.django_command, *rest], sub


BENCHMARKS = ("areas", "vrptw", "dispatch-sim")


def run_benchmark(argv: list[str]) -> int:
    """``baoxiu bench NAME [options]``: run ``bench/NAME.py`` (dashes as underscores)."""
    if not argv or argv[0] not in BENCHMARKS:
        print(f"usage: baoxiu bench {{{','.join(BENCHMARKS)}}} [options]", file=sys.stderr)
        return 2
    import importlib

    sys.path.insert(0, str(BASE_DIR))
    return importlib.import_module(f"bench.{argv[0].replace('-', '_')}").main(argv[1:])


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(usage())
        return 0
    if argv[0] == "bench":
        return run_benchmark(argv[1:])
    if argv == ["manage"]:
        argv = ["manage", "help"]
    command, sub = django_argv(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", DEFAULT_SETTINGS)
    if sub is not None and sub.prepare is not None:
        sub.prepare()

    from django.core.management import execute_from_command_line

    execute_from_command_line(command)
    return 0


if __name__ == "__main__":
    sys.exit(main())

import base64
import os
import signal
import stat
import sys
import time

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from baoxiu import cli
from baoxiu.accounts.choices import Role
from baoxiu.accounts.models import User
from baoxiu.core.crypto import parse_keyring
from baoxiu.demo.processes import supervise
from config.env import _read_env_file

SLEEPER = [sys.executable, "-c", "import time; time.sleep(30)"]


def test_env_file_holds_fresh_valid_keys(tmp_path):
    path = tmp_path / "var" / "baoxiu.env"

    assert cli.write_env_file(path) is True

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    values = _read_env_file(path)
    assert set(values) == {
        "BAOXIU_SECRET_KEY",
        "BAOXIU_FIELD_KEYS",
        "BAOXIU_BLIND_INDEX_KEY",
        "BAOXIU_DEBUG",
    }
    ring = parse_keyring(values["BAOXIU_FIELD_KEYS"])
    assert ring.primary_id == "k1"
    assert ring.open(ring.seal("13800000001", context="t"), context="t") == "13800000001"
    assert len(base64.b64decode(values["BAOXIU_BLIND_INDEX_KEY"], validate=True)) == 32
    assert len(values["BAOXIU_SECRET_KEY"]) >= 50
    assert values["BAOXIU_DEBUG"] == "1"


def test_existing_env_file_is_kept(tmp_path):
    path = tmp_path / "baoxiu.env"
    cli.write_env_file(path)
    first = path.read_text()

    assert cli.write_env_file(path) is False

    assert path.read_text() == first


def test_demo_keys_are_not_written_beside_a_configured_deployment(tmp_path, monkeypatch):
    path = tmp_path / "baoxiu.env"
    monkeypatch.setenv("BAOXIU_ENV_FILE", str(path))
    monkeypatch.setenv("BAOXIU_SECRET_KEY", "set-by-the-operator")

    cli.prepare_demo()

    assert not path.exists()


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["worker", "--burst"], ["baoxiu", "run_worker", "--burst"]),
        (["serve", "--port", "8100"], ["baoxiu", "serve", "--port", "8100"]),
        (["demo", "--no-serve"], ["baoxiu", "demo", "--no-serve"]),
        (["manage", "shell", "-c", "1"], ["baoxiu", "shell", "-c", "1"]),
        (["showmigrations"], ["baoxiu", "showmigrations"]),
    ],
)
def test_subcommands_map_to_management_commands(argv, expected):
    assert cli.django_argv(argv)[0] == expected


def test_createadmin_creates_then_updates(db):
    call_command("createadmin", username="boss", password="long-enough-passphrase-1")
    call_command("createadmin", username="boss", password="another-passphrase-2")

    boss = User.objects.get(username="boss")
    assert (boss.role, boss.is_superuser, boss.is_staff) == (Role.ADMIN, True, True)
    assert boss.check_password("another-passphrase-2")


def test_createadmin_reads_the_environment_and_refuses_weak_passwords(db, monkeypatch):
    monkeypatch.setenv("BAOXIU_ADMIN_PASSWORD", "123")

    with pytest.raises(CommandError):
        call_command("createadmin", username="boss")

    assert not User.objects.filter(username="boss").exists()


def test_supervisor_stops_the_rest_when_a_child_exits():
    started = time.monotonic()

    code = supervise(
        [[sys.executable, "-c", "import sys; sys.exit(3)"], SLEEPER], poll_seconds=0.05
    )

    assert code == 3
    assert time.monotonic() - started < 10  # the sleeper was terminated, not waited out


def test_supervisor_stops_children_on_sigterm():
    handler_before = signal.getsignal(signal.SIGTERM)
    started = time.monotonic()

    code = supervise(
        [SLEEPER, SLEEPER],
        on_started=lambda: os.kill(os.getpid(), signal.SIGTERM),
        poll_seconds=0.05,
    )

    assert code == 0
    assert time.monotonic() - started < 10
    assert signal.getsignal(signal.SIGTERM) is handler_before

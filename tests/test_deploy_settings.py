"""Production settings pass Django's deployment checklist."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    "database_url",
    ["sqlite:///{tmp}/db.sqlite3", "postgres://baoxiu@db.internal:5432/baoxiu"],
    ids=["sqlite", "postgresql"],
)
def test_check_deploy_passes_with_production_environment(tmp_path, database_url):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("BAOXIU_")
        and key not in {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        BAOXIU_ENV_FILE=str(tmp_path / "none.env"),
        BAOXIU_SECRET_KEY="Zx8!q" + "k3Lm9Pq2Rs7Tv4Wx6Yz1Ab5Cd8Ef0Gh3Ij6Kl9Mn2Op5Qr8St1Uv4",
        BAOXIU_FIELD_KEYS="p1:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
        BAOXIU_BLIND_INDEX_KEY="cHJvZHVjdGlvbi1ibGluZC1pbmRleC1rZXk=",
        BAOXIU_ALLOWED_HOSTS="service.example.org",
        DATABASE_URL=database_url.format(tmp=tmp_path),
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # No warning at all, and none hidden by SILENCED_SYSTEM_CHECKS.
    assert "System check identified no issues (0 silenced)." in result.stdout, result.stdout


def test_missing_keys_stop_startup(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("BAOXIU_")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        BAOXIU_ENV_FILE=str(tmp_path / "none.env"),
        BAOXIU_SECRET_KEY="x" * 60,
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 1
    assert "Set the BAOXIU_FIELD_KEYS environment variable" in result.stderr

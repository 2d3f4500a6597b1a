"""Reading configuration from the environment.

Values come from the process environment first, then from an optional
``KEY=VALUE`` file (``BAOXIU_ENV_FILE``, default ``var/baoxiu.env``) that
``baoxiu demo`` writes with freshly generated keys on first run.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def _read_env_file(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        values[key.strip()] = value.strip().strip('"').strip("'")
    return values


_FILE_VALUES = _read_env_file(
    Path(os.environ.get("BAOXIU_ENV_FILE", BASE_DIR / "var" / "baoxiu.env"))
)


def env(name: str, default: str | None = None, *, required: bool = False) -> str | None:
    if name in os.environ:
        return os.environ[name]
    if name in _FILE_VALUES:
        return _FILE_VALUES[name]
    if required:
        raise ImproperlyConfigured(f"Set the {name} environment variable (see README).")
    return default


def env_bool(name: str, default: bool = False) -> bool:
    value = env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    value = env(name, default) or ""
    return [item.strip() for item in value.split(",") if item.strip()]

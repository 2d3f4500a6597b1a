"""Django settings for ``baoxiu bench dispatch-sim``: the test settings on a throw-away database.

The benchmark points ``BAOXIU_BENCH_DATABASE_URL`` at a SQLite file in a
temporary directory before Django is set up. Otherwise these are
``config.settings_test`` (fixed throw-away keys, no environment file read)
with debug off, so no query is logged while timing.
"""

import os

# First: the test settings keep config.env away from var/baoxiu.env (which turns debug on).
from config.settings_test import *  # noqa: F403

DEBUG = False
DATABASES = {"default": database_from_url(os.environ["BAOXIU_BENCH_DATABASE_URL"])}  # noqa: F405
LOGGING["root"]["level"] = "WARNING"  # noqa: F405

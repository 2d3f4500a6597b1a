"""The badge-code migration gives every existing technician their own code."""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("workforce", "0002_technician_break_minutes_technician_break_start_and_more")]
AFTER = [("workforce", "0003_support_technician_badge_code")]


def test_existing_technicians_get_distinct_badge_codes():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    User = apps.get_model("accounts", "User")
    Outlet = apps.get_model("workforce", "Outlet")
    Technician = apps.get_model("workforce", "Technician")
    outlet = Outlet.objects.create(
        code="o1",
        name="网点",
        area_name="南山区",
        latitude=Decimal("22.5"),
        longitude=Decimal("113.9"),
    )
    for n in range(3):
        Technician.objects.create(
            user=User.objects.create(username=f"m-tech{n}"),
            outlet=outlet,
            name=f"师傅{n}",
            certificate_no=f"C{n}",
            home_latitude=Decimal("22.5"),
            home_longitude=Decimal("113.9"),
        )

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    from baoxiu.workforce.models import Technician as Current

    codes = list(Current.objects.values_list("badge_code", flat=True))
    assert len(codes) == 3 and len(set(codes)) == 3
    assert all(len(code) == 16 for code in codes)

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def set_session(client, **values):
    session = client.session
    for key, value in values.items():
        session[key] = value
    session.save()


def test_active_staff_stay_signed_in(client, agent):
    client.login(username=agent.username, password=PASSWORD)
    assert client.get(reverse("console:tickets")).status_code == 200
    assert client.get(reverse("console:tickets")).status_code == 200


def test_idle_session_ends(client, agent):
    client.login(username=agent.username, password=PASSWORD)
    client.get(reverse("console:tickets"))
    set_session(client, baoxiu_seen_at=timezone.now().timestamp() - 31 * 60)
    response = client.get(reverse("console:tickets"))
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_session_ends_twelve_hours_after_login_even_when_busy(client, agent):
    client.login(username=agent.username, password=PASSWORD)
    now = timezone.now().timestamp()
    client.get(reverse("console:tickets"))
    set_session(client, baoxiu_login_at=now - 12 * 3600 - 60, baoxiu_seen_at=now - 10)
    response = client.get(reverse("console:tickets"))
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")

import pytest
from django.utils import timezone

from baoxiu.accounts.forms import MAX_FAILURES
from baoxiu.accounts.models import LoginFailure
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_wrong_password_is_recorded_and_explained(client):
    UserFactory(username="agent", role="agent")
    response = client.post("/accounts/login/", {"username": "agent", "password": "wrong"})
    assert response.status_code == 200
    assert "用户名或密码不正确。" in response.content.decode()
    assert LoginFailure.objects.filter(username="agent").count() == 1


def test_account_locks_after_too_many_failures_even_for_the_right_password(client):
    UserFactory(username="agent", role="agent")
    now = timezone.now()
    LoginFailure.objects.bulk_create(
        [LoginFailure(username="agent", at=now) for _ in range(MAX_FAILURES)]
    )
    response = client.post("/accounts/login/", {"username": "agent", "password": PASSWORD})
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_failures_older_than_an_hour_do_not_count(client):
    from datetime import timedelta

    UserFactory(username="agent", role="agent")
    old = timezone.now() - timedelta(hours=2)
    LoginFailure.objects.bulk_create(
        [LoginFailure(username="agent", at=old) for _ in range(MAX_FAILURES)]
    )
    response = client.post("/accounts/login/", {"username": "agent", "password": PASSWORD})
    assert response.status_code == 302


def test_login_rotates_the_session(client):
    UserFactory(username="agent", role="agent")
    client.get("/accounts/login/")
    client.session.save()
    before = client.session.session_key
    client.post("/accounts/login/", {"username": "agent", "password": PASSWORD})
    assert client.session.session_key != before

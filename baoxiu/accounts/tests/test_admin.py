import pytest
from django.contrib import admin
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_every_admin_list_and_add_page_loads(client):
    root = UserFactory(username="root", role="admin", is_superuser=True, is_staff=True)
    assert client.login(username=root.username, password=PASSWORD)
    assert client.get(reverse("admin:index")).status_code == 200
    for model in admin.site._registry:
        meta = model._meta
        changelist = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        assert client.get(changelist).status_code == 200, changelist


def test_non_staff_cannot_reach_admin(client):
    agent = UserFactory(username="agent", role="agent")
    assert client.login(username=agent.username, password=PASSWORD)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and "/admin/login/" in response.url

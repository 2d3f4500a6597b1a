import re

import pytest
from django.contrib.staticfiles import finders

from .helpers import TICKETS

pytestmark = pytest.mark.django_db


def test_openapi_lists_every_path(client):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    schema = response.json()
    assert set(schema["paths"]) == {
        "/api/v1/tickets",
        "/api/v1/tickets/{code}",
        "/api/v1/staff/tickets",
        "/api/v1/staff/tickets/{code}",
        "/api/v1/staff/tickets/{code}/transitions",
        "/api/v1/areas/resolve",
        "/api/v1/coverage",
        "/api/v1/tickets/{code}/slots",
        "/api/v1/tickets/{code}/appointment",
        "/api/v1/telephony/call-events",
        "/api/v1/verify/phone",
        "/api/v1/verify/badge/{code}",
        "/api/v1/prices",
        "/api/v1/tickets/{code}/quotes",
        "/api/v1/tickets/{code}/quotes/{number}/decision",
        "/api/v1/staff/tickets/{code}/quotes",
        "/api/v1/staff/tickets/{code}/quotes/{number}/code",
        "/api/v1/staff/tickets/{code}/quotes/{number}/code/resend",
        "/api/v1/staff/tickets/{code}/serial",
        "/api/v1/staff/tickets/{code}/payment",
        # baoxiu.evidence: on-site evidence, lock opening, the customer's actions
        "/api/v1/staff/tickets/{code}/photos",
        "/api/v1/staff/tickets/{code}/parts",
        "/api/v1/staff/tickets/{code}/completion-code",
        "/api/v1/staff/tickets/{code}/completion-signature",
        "/api/v1/staff/tickets/{code}/review",
        "/api/v1/staff/tickets/{code}/lock-opening",
        "/api/v1/staff/tickets/{code}/lock-opening/residence-proof",
        "/api/v1/tickets/{code}/evidence",
        "/api/v1/tickets/{code}/confirmation",
        "/api/v1/tickets/{code}/complaints",
        "/api/v1/tickets/{code}/cancel",
        "/api/v1/tickets/{code}/rating",
    }
    assert set(schema["paths"]["/api/v1/tickets"]["post"]["responses"]) == {
        "200",
        "201",
        "400",
        "403",
        "415",
        "422",
        "429",
    }
    assert set(schema["components"]["securitySchemes"]) == {"ApiTokenAuth", "StaffSessionAuth"}


def test_docs_page_uses_bundled_assets_only(client):
    response = client.get("/api/v1/docs")

    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert "/static/ninja/swagger-ui-bundle.js" in assets
    assert all(asset.startswith("/static/") for asset in assets)
    assert "http://" not in html and "https://" not in html
    for asset in ("ninja/swagger-ui-bundle.js", "ninja/swagger-ui.css"):
        assert finders.find(asset) is not None


def test_unknown_route_under_the_api_is_json_404(client):
    response = client.get("/api/v1/no/such/thing")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_api_root_is_json_404(client):
    response = client.get("/api/v1/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_wrong_method_is_json_405(client):
    response = client.delete(TICKETS)

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
    assert response["Allow"] == "POST"

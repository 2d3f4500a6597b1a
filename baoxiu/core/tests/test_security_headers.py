import pytest

pytestmark = pytest.mark.django_db


def test_pages_forbid_inline_scripts_and_framing(client):
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "unsafe-inline'; img-src" in policy
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Permissions-Policy"].startswith("geolocation=(self)")


def test_no_inline_script_in_our_pages(client, fault_type):
    from tests.factories import make_ticket

    ticket = make_ticket(fault_type=fault_type)
    for url in ("/", "/report/", "/coverage/", f"/t/{ticket.code}/{ticket.tracking_token}/"):
        body = client.get(url).content.decode()
        # Every <script> tag loads a file; none carries code of its own.
        for chunk in body.split("<script")[1:]:
            tag, _, rest = chunk.partition(">")
            assert "src=" in tag, url
            assert rest.startswith("</script>"), url


def test_tracking_page_is_not_cached_and_sends_no_referrer_off_site(client, fault_type):
    from tests.factories import make_ticket

    ticket = make_ticket(fault_type=fault_type)
    response = client.get(f"/t/{ticket.code}/{ticket.tracking_token}/")
    # same-origin: no Referer (with the token) to other sites, while the page's own
    # forms still post with a real Origin for the CSRF check.
    assert (response["Cache-Control"], response["Referrer-Policy"]) == ("no-store", "no-referrer")


def test_api_docs_keep_working(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert "'unsafe-inline'" in response["Content-Security-Policy"].split("script-src")[1]

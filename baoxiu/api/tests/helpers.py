"""Request helpers shared by the API tests."""

import json

TICKETS = "/api/v1/tickets"
STAFF_TICKETS = "/api/v1/staff/tickets"


def report_body(**overrides) -> dict:
    body = {
        "name": "王小明",
        "phone": "13800138000",
        "address": "深圳市南山区科技园路1号",
        "fault_type": "fingerprint",
        "description": "指纹识别不了",
        "area_name": "深圳市南山区",
        "consent": True,
    }
    body.update(overrides)
    return body


def post_json(client, url: str, body, **headers):
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(url, data=data, content_type="application/json", headers=headers)

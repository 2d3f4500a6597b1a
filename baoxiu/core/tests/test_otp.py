"""One-time codes: six digits, ten minutes, once, hashed, five tries."""

from datetime import timedelta

import pytest
from django.utils import timezone

from baoxiu.core.models import OneTimeCode
from baoxiu.core.otp import MAX_ATTEMPTS, CodeRejected, otp_issue, otp_verify

pytestmark = pytest.mark.django_db


def test_issued_code_is_six_digits_stored_only_as_a_hash():
    record, code = otp_issue(purpose="test", subject="s:1")

    assert len(code) == 6 and code.isdigit()
    row = OneTimeCode.objects.get(pk=record.pk)
    assert code not in row.code_hash and len(row.code_hash) == 64
    assert row.expires_at - row.created_at <= timedelta(minutes=10)


def test_right_code_works_once():
    _record, code = otp_issue(purpose="test", subject="s:1")

    used = otp_verify(purpose="test", subject="s:1", code=code)

    assert used.used_at is not None
    with pytest.raises(CodeRejected) as again:
        otp_verify(purpose="test", subject="s:1", code=code)
    assert again.value.code == "otp_missing"


def test_code_is_bound_to_its_purpose_and_subject():
    _record, code = otp_issue(purpose="test", subject="s:1")

    for purpose, subject in [("test", "s:2"), ("other", "s:1")]:
        with pytest.raises(CodeRejected) as refused:
            otp_verify(purpose=purpose, subject=subject, code=code)
        assert refused.value.code == "otp_missing"
    assert OneTimeCode.objects.get().used_at is None


def test_expired_code_is_refused():
    record, code = otp_issue(purpose="test", subject="s:1")
    OneTimeCode.objects.filter(pk=record.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )

    with pytest.raises(CodeRejected) as refused:
        otp_verify(purpose="test", subject="s:1", code=code)

    assert refused.value.code == "otp_expired"
    assert OneTimeCode.objects.get(pk=record.pk).used_at is None


def test_wrong_codes_count_and_then_even_the_right_one_is_refused():
    record, code = otp_issue(purpose="test", subject="s:1")
    wrong = "000000" if code != "000000" else "111111"

    codes = []
    for _ in range(MAX_ATTEMPTS):
        with pytest.raises(CodeRejected) as refused:
            otp_verify(purpose="test", subject="s:1", code=wrong)
        codes.append(refused.value.code)

    assert codes == ["otp_invalid"] * (MAX_ATTEMPTS - 1) + ["otp_locked"]
    assert OneTimeCode.objects.get(pk=record.pk).attempts == MAX_ATTEMPTS
    with pytest.raises(CodeRejected) as locked:
        otp_verify(purpose="test", subject="s:1", code=code)
    assert locked.value.code == "otp_locked"
    assert OneTimeCode.objects.get(pk=record.pk).used_at is None


def test_a_new_code_revokes_the_old_one():
    _first, old = otp_issue(purpose="test", subject="s:1")
    _second, new = otp_issue(purpose="test", subject="s:1")

    if old != new:
        with pytest.raises(CodeRejected):
            otp_verify(purpose="test", subject="s:1", code=old)
    assert otp_verify(purpose="test", subject="s:1", code=new).used_at is not None
    assert OneTimeCode.objects.filter(revoked=True).count() == 1


def test_malformed_input_counts_as_a_wrong_try():
    record, _code = otp_issue(purpose="test", subject="s:1")

    with pytest.raises(CodeRejected) as refused:
        otp_verify(purpose="test", subject="s:1", code="12 34")

    assert refused.value.code == "otp_invalid"
    assert OneTimeCode.objects.get(pk=record.pk).attempts == 1

import pytest

from tests.factories import FaultTypeFactory, TechnicianFactory, UserFactory

# Fails the session if any log line of the run holds personal data or a token.
pytest_plugins = ["tests.security.log_guard"]


@pytest.fixture(autouse=True)
def _fake_sms_outbox():
    from baoxiu.notifications.channels.sms.fake import FakeSmsChannel

    FakeSmsChannel.reset()
    yield
    FakeSmsChannel.reset()


@pytest.fixture
def agent(db):
    return UserFactory(username="agent", role="agent")


@pytest.fixture
def dispatcher(db):
    return UserFactory(username="dispatcher", role="dispatcher")


@pytest.fixture
def technician(db):
    return TechnicianFactory(user__username="tech1", name="李师傅")


@pytest.fixture
def other_technician(db):
    return TechnicianFactory(user__username="tech2", name="赵师傅")


@pytest.fixture
def fault_type(db):
    return FaultTypeFactory(code="fingerprint", name="指纹无法识别")


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Uploaded photos go to a fresh directory per test, never under var/."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.PRIVATE_MEDIA_ROOT

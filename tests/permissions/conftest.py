import pytest
from django.db import transaction
from django.test.utils import override_settings

from tests.permissions.world import build_world


@pytest.fixture(scope="module")
def _module_media(tmp_path_factory):
    return tmp_path_factory.mktemp("private")


@pytest.fixture(autouse=True)
def _private_media(settings, _module_media):
    """The world's photos were stored once for the module; every test reads them there."""
    settings.PRIVATE_MEDIA_ROOT = _module_media
    return _module_media


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, _module_media):
    """Built once per module inside a transaction rolled back at its end; each
    test runs in a savepoint of its own (pytest-django's ``db``)."""
    with django_db_blocker.unblock(), override_settings(PRIVATE_MEDIA_ROOT=_module_media):
        with transaction.atomic():
            built = build_world()
            yield built
            transaction.set_rollback(True)

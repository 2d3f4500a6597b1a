"""Payment providers behind one small interface; ``settings.PAYMENT_BACKEND``
names the class. Only the fake exists today: no real gateway is wired."""

from django.conf import settings
from django.utils.module_loading import import_string


def payment_provider():
    return import_string(settings.PAYMENT_BACKEND)()

from django.conf import settings
from django.utils.module_loading import import_string


def sms_channel():
    return import_string(settings.SMS_BACKEND)()

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_asgi_application()

from baoxiu.core.runtime import freeze_startup_heap  # noqa: E402 - after Django is set up

freeze_startup_heap()

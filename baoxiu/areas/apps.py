from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AreasConfig(AppConfig):
    name = "baoxiu.areas"
    label = "areas"
    verbose_name = "服务区域"

    def ready(self):
        # Reference data, like Django's own content types: the division table is
        # brought in line with the committed file after every migrate (and after
        # a test flush), so no deployment can run without it.
        post_migrate.connect(_sync_divisions, sender=self)


def _sync_divisions(sender, using="default", **kwargs):
    from baoxiu.areas.services import divisions_sync_if_needed

    divisions_sync_if_needed(using=using)

from django.apps import AppConfig


class LockOpeningConfig(AppConfig):
    name = "baoxiu.lockopening"
    label = "lockopening"
    verbose_name = "开锁登记"

    def ready(self):
        # Registers the start_work guard with the ticket transitions, and the purge job.
        from baoxiu.lockopening import jobs, privacy, rules  # noqa: F401 - and its retention

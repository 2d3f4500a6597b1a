from django.apps import AppConfig


class QuotesConfig(AppConfig):
    name = "baoxiu.quotes"
    label = "quotes"
    verbose_name = "报价与收款"

    def ready(self):
        # Registers guards, job handlers and the data-subject share.
        from baoxiu.quotes import guards, jobs, privacy  # noqa: F401

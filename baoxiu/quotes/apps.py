from django.apps import AppConfig


class QuotesConfig(AppConfig):
    name = "baoxiu.quotes"
    label = "quotes"
    verbose_name = "报价与收款"

    def ready(self):
        from baoxiu.quotes import guards, jobs  # noqa: F401 - registers guards and job handlers

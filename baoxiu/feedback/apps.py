from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "baoxiu.feedback"
    label = "feedback"
    verbose_name = "客户投诉与评价"

    def ready(self):
        from baoxiu.feedback import privacy  # noqa: F401 - data-subject requests

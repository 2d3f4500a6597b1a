from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "baoxiu.evidence"
    label = "evidence"
    verbose_name = "现场凭证与完工确认"

    def ready(self):
        # Registers the completion guards and followers with the ticket transitions.
        from baoxiu.evidence import privacy, rules  # noqa: F401 - and the data-subject share

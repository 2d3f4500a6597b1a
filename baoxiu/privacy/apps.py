from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "baoxiu.privacy"
    label = "privacy"
    verbose_name = "个人信息保护"

    def ready(self):
        from baoxiu.privacy import bindings, jobs  # noqa: F401 - follower and job handlers

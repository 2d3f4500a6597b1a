from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "baoxiu.core"
    label = "core"
    verbose_name = "核心"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from baoxiu.core.middleware import stamp_session_at_login

        user_logged_in.connect(stamp_session_at_login, dispatch_uid="baoxiu.session_clocks")

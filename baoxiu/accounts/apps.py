from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "baoxiu.accounts"
    label = "accounts"
    verbose_name = "账户"

from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "baoxiu.customers"
    label = "customers"
    verbose_name = "客户"

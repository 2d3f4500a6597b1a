from django.apps import AppConfig


class PricingConfig(AppConfig):
    name = "baoxiu.pricing"
    label = "pricing"
    verbose_name = "价目表与保修"

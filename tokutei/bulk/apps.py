from django.apps import AppConfig


class BulkConfig(AppConfig):
    name = "tokutei.bulk"
    hook_order = 70  # tokutei.core.hooks

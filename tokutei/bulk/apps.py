from django.apps import AppConfig


class BulkConfig(AppConfig):
    name = "tokutei.bulk"

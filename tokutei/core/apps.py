from django.apps import AppConfig
from django.urls import register_converter


class CoreConfig(AppConfig):
    name = "tokutei.core"

    def ready(self) -> None:
        from .fields import IdConverter

        # ``<id:pk>``: a record id within the column's range (a larger number is a missing page, not a 500).
        register_converter(IdConverter, "id")

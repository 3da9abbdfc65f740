from django.apps import AppConfig


class BulkConfig(AppConfig):
    name = "tokutei.bulk"
    hook_order = 70  # tokutei.core.hooks

    def ready(self) -> None:
        from . import rules  # noqa: F401 - registers the bulk import with tokutei.policy

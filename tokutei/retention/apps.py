from django.apps import AppConfig


class RetentionConfig(AppConfig):
    name = "tokutei.retention"
    verbose_name = "保存期間・廃棄"
    default_auto_field = "django.db.models.BigAutoField"
    hook_order = 45  # tokutei.core.hooks
    api_router = "tokutei.retention.api.router"

    def ready(self) -> None:
        from . import rules  # noqa: F401  (registers the app's actions in the rule book)

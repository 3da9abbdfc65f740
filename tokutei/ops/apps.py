from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Operations: the production server, health checks, backups and their register, restore drills."""

    name = "tokutei.ops"
    label = "ops"
    verbose_name = "運用"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import rules  # noqa: F401 - registers the operations' actions with tokutei.policy

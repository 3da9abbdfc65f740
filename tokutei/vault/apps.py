from django.apps import AppConfig


class VaultConfig(AppConfig):
    name = "tokutei.vault"

    def ready(self) -> None:
        from . import rules  # noqa: F401 - registers the vault's actions with tokutei.policy

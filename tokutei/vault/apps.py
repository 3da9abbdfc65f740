from django.apps import AppConfig


class VaultConfig(AppConfig):
    name = "tokutei.vault"
    hook_order = 20  # tokutei.core.hooks
    api_router = "tokutei.vault.api.router"
    demo_loader = "tokutei.vault.demo.load"
    init_hook = "tokutei.vault.keys.ensure_keys"

    def ready(self) -> None:
        from . import rules  # noqa: F401 - registers the vault's actions with tokutei.policy

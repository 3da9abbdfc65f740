from django.apps import AppConfig


class VaultConfig(AppConfig):
    name = "tokutei.vault"
    hook_order = 20  # tokutei.core.hooks
    api_router = "tokutei.vault.api.router"
    demo_loader = "tokutei.vault.demo.load"
    init_hook = "tokutei.vault.keys.ensure_keys"

    def ready(self) -> None:
        from tokutei.staff.credentials import register_holder

        from . import rules  # noqa: F401 - registers the vault's actions with tokutei.policy
        from .services.accounts import cancel_tokens_of

        register_holder(cancel_tokens_of)  # API tokens are cancelled with the person's credentials (E-13)

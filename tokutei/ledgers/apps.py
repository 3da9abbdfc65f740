from django.apps import AppConfig


class LedgersConfig(AppConfig):
    name = "tokutei.ledgers"
    hook_order = 40  # tokutei.core.hooks
    api_router = "tokutei.ledgers.api.router"
    demo_loader = "tokutei.ledgers.demo.load"

    def ready(self) -> None:
        from tokutei.auditlog.services import follow

        from . import rules  # noqa: F401 - registers the ledgers' actions with tokutei.policy
        from .services import record_from_entry

        # The handling-status record is a by-product of the log: each handling entry gets its row in the
        # transaction that writes the entry (no page load writes anything).
        follow(record_from_entry)

from django.apps import AppConfig


class PiaConfig(AppConfig):
    name = "tokutei.pia"
    hook_order = 80  # tokutei.core.hooks
    api_router = "tokutei.pia.api.router"
    demo_loader = "tokutei.pia.demo.load"

    def ready(self) -> None:
        from tokutei.auditlog.services import follow

        from . import rules  # noqa: F401 - registers the pia actions with tokutei.policy
        from .events import on_entry

        follow(on_entry)  # a bulk import, an intake, a designation or an incident re-assesses after commit

from django.apps import AppConfig


class AuditsConfig(AppConfig):
    name = "tokutei.audits"
    hook_order = 85  # tokutei.core.hooks
    api_router = "tokutei.audits.api.router"
    demo_loader = "tokutei.audits.demo.load"

    def ready(self) -> None:
        from . import guards, rules  # noqa: F401 - the audit actions, and the designation guards of tokutei.staff

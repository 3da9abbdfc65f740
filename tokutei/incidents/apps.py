from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "tokutei.incidents"
    hook_order = 75  # tokutei.core.hooks
    api_router = "tokutei.incidents.api.router"
    demo_loader = "tokutei.incidents.demo.load"

    def ready(self) -> None:
        from . import rules  # noqa: F401 - registers the incident actions with tokutei.policy

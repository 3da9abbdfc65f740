from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "tokutei.staff"
    hook_order = 10  # tokutei.core.hooks
    api_router = "tokutei.staff.api.router"
    demo_loader = "tokutei.staff.demo.load"

    def ready(self) -> None:
        from . import rules  # noqa: F401 - registers the staff actions with tokutei.policy

from django.apps import AppConfig


class ApprovalsConfig(AppConfig):
    name = "tokutei.approvals"
    hook_order = 60  # tokutei.core.hooks
    api_router = "tokutei.approvals.api.router"
    demo_loader = "tokutei.approvals.demo.load"

    def ready(self) -> None:
        from . import rules  # noqa: F401 - registers the approval engine's actions with tokutei.policy

from django.apps import AppConfig


class CommitteeConfig(AppConfig):
    name = "tokutei.committee"
    hook_order = 80  # tokutei.core.hooks
    api_router = "tokutei.committee.api.router"

    def ready(self) -> None:
        from . import rules  # noqa: F401 - registers the committee actions with tokutei.policy

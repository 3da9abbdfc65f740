from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "tokutei.org"
    label = "org"
    hook_order = 85  # tokutei.core.hooks
    api_router = "tokutei.org.api.router"

    def ready(self) -> None:
        from . import rules  # noqa: F401 - registers the organisation records' actions with tokutei.policy

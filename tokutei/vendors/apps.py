from django.apps import AppConfig


class VendorsConfig(AppConfig):
    name = "tokutei.vendors"
    hook_order = 85  # tokutei.core.hooks
    api_router = "tokutei.vendors.api.router"
    demo_loader = "tokutei.vendors.demo.load"

    def ready(self) -> None:
        from tokutei.staff import guards

        from . import rules  # noqa: F401 - registers the vendor actions with tokutei.policy
        from .selectors import dispatch_guard

        guards.register(dispatch_guard)  # E-31: dispatched workers are designated only once the terms are confirmed

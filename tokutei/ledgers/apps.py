from django.apps import AppConfig


class LedgersConfig(AppConfig):
    name = "tokutei.ledgers"
    hook_order = 40  # tokutei.core.hooks
    api_router = "tokutei.ledgers.api.router"
    demo_loader = "tokutei.ledgers.demo.load"

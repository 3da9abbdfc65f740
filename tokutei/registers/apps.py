from django.apps import AppConfig


class RegistersConfig(AppConfig):
    name = "tokutei.registers"
    verbose_name = "記録簿（記録媒体・持出し・ドキュメント・出力）"
    hook_order = 50  # tokutei.core.hooks
    api_router = "tokutei.registers.api.router"
    demo_loader = "tokutei.registers.demo.load"

    def ready(self) -> None:
        from . import rules  # noqa: F401 - registers the registers' actions with tokutei.policy

from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "tokutei.staff"

    def ready(self) -> None:
        from . import rules  # noqa: F401 - registers the staff actions with tokutei.policy

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _reinstall_guards(sender, using="default", **kwargs):
    """SQLite drops a table's triggers when a migration rebuilds it: put the guards back after migrate."""
    from django.db import connections

    from . import guards

    connection = connections[using]
    if guards.ENTRY in connection.introspection.table_names():
        guards.install(connection)


class AuditlogConfig(AppConfig):
    name = "tokutei.auditlog"
    verbose_name = "操作履歴"
    hook_order = 30  # tokutei.core.hooks
    api_router = "tokutei.auditlog.api.router"
    demo_loader = "tokutei.auditlog.demo.load"
    init_hook = "tokutei.auditlog.signing.ensure_keys"

    def ready(self) -> None:
        from . import rules  # noqa: F401 - registers the log's actions with tokutei.policy

        post_migrate.connect(_reinstall_guards, sender=self, dispatch_uid="tokutei.auditlog.guards")

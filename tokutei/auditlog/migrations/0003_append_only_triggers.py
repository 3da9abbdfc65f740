"""Append-only triggers on the operation log (R-LOG-3, E-35): see tokutei/auditlog/guards.py."""

from django.db import migrations


def install(apps, schema_editor):
    """The triggers are (re)installed at the end of 0004, once the columns they read exist."""
    from tokutei.auditlog import guards

    connection = schema_editor.connection
    with connection.cursor() as cursor:
        columns = {c.name for c in connection.introspection.get_table_description(cursor, "auditlog_entry")}
    if "lane_seq" in columns:
        guards.install(connection)


def drop(apps, schema_editor):
    from tokutei.auditlog import guards

    guards.drop(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("auditlog", "0002_checkpoint_purgeauthorisation_purgerecord_logreview")]

    operations = [migrations.RunPython(install, drop)]

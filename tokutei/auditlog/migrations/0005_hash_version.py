"""Format 2 of the entry hash (chain.py, sql.py): entries already written keep format 1 and their hashes."""

from django.db import migrations, models


def install_guards(apps, schema_editor):
    from tokutei.auditlog import guards

    guards.install(schema_editor.connection)


def drop_guards(apps, schema_editor):
    from tokutei.auditlog import guards

    guards.drop(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ('auditlog', '0004_lanes'),
    ]

    operations = [
        migrations.RunPython(drop_guards, install_guards),
        migrations.AddField(
            model_name='entry',
            name='hash_version',
            field=models.PositiveSmallIntegerField(default=1),
        ),
        migrations.RunPython(install_guards, drop_guards),
    ]

"""Typed registers (issue 17): entries keep their form version, and their values move from the Japanese
label to the field's stable key (``profile.registers[*].fields[*].key``), so a reworded label never orphans
them. Labels the profile no longer knows are kept as they were (and still shown: ``registers.typed.stored``).
Without a profile in force (a fresh database) there is nothing to move."""

from django.db import migrations, models


def rekey(apps, schema_editor):
    RegisterEntry = apps.get_model("ledgers", "RegisterEntry")
    if not RegisterEntry.objects.exists():
        return
    try:
        from tokutei.profiles.selectors import get_profile

        profile = get_profile()
    except Exception:  # no profile in force: entries stay keyed by label and are read through it
        return
    from tokutei.registers.typed import to_key_values

    for entry in RegisterEntry.objects.all().iterator():
        definition = profile.registers.get(entry.register)
        if definition is None:
            continue
        values = to_key_values(definition, entry.values or {})
        if values != entry.values:
            # A plain queryset: the model's append-only manager refuses updates, and this is the one
            # re-keying of a schema change, not a correction of what was recorded.
            models.QuerySet(model=RegisterEntry).filter(pk=entry.pk).update(values=values)


class Migration(migrations.Migration):

    dependencies = [
        ('ledgers', '0003_handlingrecord_ledgers_handling_corrected_once'),
    ]

    operations = [
        migrations.AddField(
            model_name='registerentry',
            name='form_version',
            field=models.PositiveIntegerField(default=1),
        ),
        migrations.RunPython(rekey, migrations.RunPython.noop),
    ]

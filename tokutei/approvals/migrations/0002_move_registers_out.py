"""Media, documents, carry-outs and copies move to the registers app (state only: the tables stay).

Django's state forgets the six models here; registers/0001 declares them again on the same tables
(``Meta.db_table``), so no row is copied and nothing in the database changes.
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('approvals', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.RemoveField(
                    model_name='document',
                    name='created_by',
                ),
                migrations.RemoveField(
                    model_name='documentevent',
                    name='document',
                ),
                migrations.RemoveField(
                    model_name='documentevent',
                    name='approval',
                ),
                migrations.RemoveField(
                    model_name='documentevent',
                    name='by',
                ),
                migrations.RemoveField(
                    model_name='medium',
                    name='created_by',
                ),
                migrations.RemoveField(
                    model_name='medium',
                    name='custodian',
                ),
                migrations.RemoveField(
                    model_name='medium',
                    name='disposal_witness',
                ),
                migrations.RemoveField(
                    model_name='medium',
                    name='disposed_by',
                ),
                migrations.RemoveField(
                    model_name='mediumcheck',
                    name='medium',
                ),
                migrations.RemoveField(
                    model_name='mediumcheck',
                    name='recorded_by',
                ),
                migrations.RemoveField(
                    model_name='temporarycopy',
                    name='approval',
                ),
                migrations.RemoveField(
                    model_name='temporarycopy',
                    name='bulk_approval',
                ),
                migrations.RemoveField(
                    model_name='temporarycopy',
                    name='created_by',
                ),
                migrations.RemoveField(
                    model_name='temporarycopy',
                    name='deleted_by',
                ),
                migrations.DeleteModel(
                    name='CarryOut',
                ),
                migrations.DeleteModel(
                    name='Document',
                ),
                migrations.DeleteModel(
                    name='DocumentEvent',
                ),
                migrations.DeleteModel(
                    name='Medium',
                ),
                migrations.DeleteModel(
                    name='MediumCheck',
                ),
                migrations.DeleteModel(
                    name='TemporaryCopy',
                ),
            ],
        ),
    ]

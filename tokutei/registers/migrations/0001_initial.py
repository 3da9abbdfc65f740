"""The registers' models, moved from approvals (state only): the tables approvals/0001 created stay as they are.

On an existing database the rows are already there; on a new one approvals/0001 has just created the
empty tables. The content types follow the models (their permissions keep their ids).
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


MOVED = ["medium", "mediumcheck", "carryout", "document", "documentevent", "temporarycopy"]


def _relabel(apps, old: str, new: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        if not ContentType.objects.filter(app_label=new, model=model).exists():
            ContentType.objects.filter(app_label=old, model=model).update(app_label=new)


def content_types_forward(apps, schema_editor):
    _relabel(apps, "approvals", "registers")


def content_types_backward(apps, schema_editor):
    _relabel(apps, "registers", "approvals")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('approvals', '0002_move_registers_out'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='Document',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('title', models.CharField(max_length=200, verbose_name='文書名')),
                        ('kind', models.CharField(choices=[('design', '設計書'), ('program', 'プログラム作成の記録'), ('operation', '運用に関する記録・文書'), ('diagram', '構成図')], max_length=20, verbose_name='種類')),
                        ('storage_place', models.CharField(max_length=200, verbose_name='保管場所')),
                        ('copies', models.PositiveIntegerField(default=1, verbose_name='部数')),
                        ('status', models.CharField(choices=[('stored', '保管中'), ('out', '持出し中'), ('disposed', '廃棄済み')], default='stored', max_length=10)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'ドキュメント',
                        'db_table': 'approvals_document',
                        'ordering': ['title'],
                    },
                ),
                migrations.CreateModel(
                    name='DocumentEvent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('copy', '複製'), ('carry_out', '持出し'), ('return', '返却'), ('check', '保管状況の確認'), ('dispose', '廃棄')], max_length=12)),
                        ('note', models.CharField(blank=True, max_length=300, verbose_name='備考')),
                        ('at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('approval', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='document_event', to='approvals.approvalrequest')),
                        ('by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('document', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='events', to='registers.document')),
                    ],
                    options={
                        'db_table': 'approvals_documentevent',
                        'ordering': ['-at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='Medium',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('label', models.CharField(max_length=60, unique=True, verbose_name='媒体番号')),
                        ('kind', models.CharField(choices=[('usb', 'USBメモリ'), ('optical', '光ディスク'), ('disk', '磁気ディスク・SSD'), ('tape', '磁気テープ'), ('paper', '紙媒体'), ('built_in', '端末・サーバ内蔵記憶装置'), ('other', 'その他')], max_length=20, verbose_name='種類')),
                        ('content_summary', models.CharField(blank=True, max_length=200, verbose_name='内容（個人情報を書かない）')),
                        ('record_count', models.PositiveIntegerField(default=0, verbose_name='記録件数')),
                        ('storage_place', models.CharField(max_length=200, verbose_name='保管場所')),
                        ('status', models.CharField(choices=[('stored', '保管中'), ('out', '持出し中'), ('disposed', '廃棄済み'), ('lost', '所在不明')], default='stored', max_length=10)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('disposed_at', models.DateTimeField(blank=True, null=True)),
                        ('disposal_method', models.CharField(blank=True, max_length=100, verbose_name='廃棄方法')),
                        ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('custodian', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('disposal_witness', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('disposed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': '記録媒体',
                        'db_table': 'approvals_medium',
                        'ordering': ['label'],
                    },
                ),
                migrations.CreateModel(
                    name='CarryOut',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('counterparty', models.CharField(max_length=200, verbose_name='相手方')),
                        ('media_type', models.CharField(max_length=60, verbose_name='記録媒体の種類')),
                        ('quantity', models.PositiveIntegerField(verbose_name='数量')),
                        ('record_count', models.PositiveIntegerField(verbose_name='記録件数')),
                        ('purpose_key', models.CharField(blank=True, max_length=60, verbose_name='持出しの目的')),
                        ('purpose_note', models.CharField(blank=True, max_length=200, verbose_name='目的の説明')),
                        ('protections', models.JSONField(blank=True, default=list, verbose_name='保護措置')),
                        ('status', models.CharField(choices=[('planned', '持出し前'), ('out', '持出し中'), ('returned', '返却済み'), ('disposed', '廃棄済み'), ('delivered', '提出・引渡し済み')], default='planned', max_length=10)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('carried_out_at', models.DateTimeField(blank=True, null=True)),
                        ('closed_at', models.DateTimeField(blank=True, null=True)),
                        ('disposal_method', models.CharField(blank=True, max_length=100, verbose_name='廃棄方法')),
                        ('approval', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='carry_out', to='approvals.approvalrequest')),
                        ('carried_out_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('closed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('requested_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('medium', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='carry_outs', to='registers.medium')),
                    ],
                    options={
                        'verbose_name': '持出し記録',
                        'db_table': 'approvals_carryout',
                        'ordering': ['-created_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='MediumCheck',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('checked_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('has_fault', models.BooleanField(verbose_name='障害の有無')),
                        ('description', models.CharField(blank=True, max_length=300, verbose_name='内容')),
                        ('medium', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='checks', to='registers.medium')),
                        ('recorded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'approvals_mediumcheck',
                        'ordering': ['-checked_at'],
                    },
                ),
                migrations.CreateModel(
                    name='TemporaryCopy',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('export', '出力ファイル'), ('processing', '一時的な加工用の複製')], default='export', max_length=12)),
                        ('file_name', models.CharField(max_length=200, unique=True)),
                        ('purpose', models.CharField(max_length=60)),
                        ('field_keys', models.JSONField(default=list)),
                        ('record_count', models.PositiveIntegerField(default=0)),
                        ('recipient', models.CharField(max_length=200, verbose_name='受領者')),
                        ('sha256', models.CharField(max_length=64)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('expires_at', models.DateTimeField()),
                        ('deleted_at', models.DateTimeField(blank=True, null=True)),
                        ('deletion_reason', models.CharField(blank=True, max_length=20)),
                        ('approval', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='copies', to='approvals.approvalrequest')),
                        ('bulk_approval', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='approvals.approvalrequest')),
                        ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('deleted_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': '出力・一時複製',
                        'db_table': 'approvals_temporarycopy',
                        'ordering': ['-created_at', '-id'],
                    },
                ),
            ],
        ),
        migrations.RunPython(content_types_forward, content_types_backward),
    ]

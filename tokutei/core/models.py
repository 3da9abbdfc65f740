"""Model bases shared by the apps.

``AppendOnly``: a record that is never changed or deleted in place — a ledger line (R-HSR-1, R-REG-0), an
incident report and its timeline (R-INC-1). A correction or a later fact is a new row. Saving an existing
row, deleting one, or a queryset's ``update()``/``delete()`` raises :class:`AppendOnlyError` with the
subclass's own words for the person who tried.

The one exception is disposal at the end of the retention period (R-RET-2): the retention service's execution
of a checked disposal list removes rows with :meth:`AppendOnlyQuerySet.dispose`, which asks for a
:class:`DisposalPermit` and an open transaction. Nothing else issues a permit
(``tests/rules/test_append_only_disposal.py`` fails on any other caller); ``delete()`` stays refused.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models


class AppendOnlyError(Exception):
    """An append-only record would be changed or deleted in place."""


class DisposalPermit:
    """Leave to remove append-only rows whose retention has ended: issued by the retention service's
    execution of a disposal list only (``tokutei.retention.services.disposal``), for one disposal item."""

    __slots__ = ("disposal_item_id",)

    def __init__(self, *, disposal_item_id: int) -> None:
        self.disposal_item_id = disposal_item_id


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError(getattr(self.model, "append_only_change_message", ""))

    def delete(self):
        raise AppendOnlyError(getattr(self.model, "append_only_delete_message", ""))

    def dispose(self, *, permit: DisposalPermit) -> int:
        """Remove these rows at the end of their retention period — the disposal execution's path only.

        Refused without a permit or outside a transaction (the disposal record and its log entry are written in
        the same one). Returns how many rows went."""
        from django.db import connections

        if not isinstance(permit, DisposalPermit) or not permit.disposal_item_id:
            raise AppendOnlyError(getattr(self.model, "append_only_delete_message", ""))
        if not connections[self.db].in_atomic_block:
            raise AppendOnlyError(getattr(self.model, "append_only_delete_message", ""))
        deleted, _per_model = models.QuerySet.delete(self)
        return deleted


class AppendOnly(models.Model):
    append_only_change_message: ClassVar[str] = "この記録は変更できません。訂正は新しい記録として追加してください。"
    append_only_delete_message: ClassVar[str] = "この記録は削除できません。"

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError(self.append_only_change_message)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(self.append_only_delete_message)

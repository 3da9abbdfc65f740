"""Model bases shared by the apps.

``AppendOnly``: a record that is never changed or deleted in place — a ledger line (R-HSR-1, R-REG-0), an
incident report and its timeline (R-INC-1). A correction or a later fact is a new row. Saving an existing
row, deleting one, or a queryset's ``update()``/``delete()`` raises :class:`AppendOnlyError` with the
subclass's own words for the person who tried.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models


class AppendOnlyError(Exception):
    """An append-only record would be changed or deleted in place."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError(getattr(self.model, "append_only_change_message", ""))

    def delete(self):
        raise AppendOnlyError(getattr(self.model, "append_only_delete_message", ""))


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

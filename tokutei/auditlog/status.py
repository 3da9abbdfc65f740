"""The cheap status of the operation log for dashboards: free disk space, head, latest checkpoint, guards."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

from . import guards
from .models import ChainHead, Checkpoint, Entry


@dataclass
class DiskStatus:
    path: str
    free_bytes: int
    total_bytes: int
    low: bool

    @property
    def free_percent(self) -> float:
        return 100.0 * self.free_bytes / self.total_bytes if self.total_bytes else 0.0


def disk_status() -> DiskStatus:
    """Free space where the data (SQLite file, keys, exports) lives. A full disk stops the log — and so,
    fail-closed, every operation (lessons: Vault stalls when the audit disk fills)."""
    path = Path(settings.DATA_DIR)
    while not path.exists() and path != path.parent:
        path = path.parent
    usage = shutil.disk_usage(path)
    min_free = int(getattr(settings, "AUDIT_DISK_MIN_FREE_BYTES", 2 * 1024**3))
    min_percent = float(getattr(settings, "AUDIT_DISK_MIN_FREE_PERCENT", 10.0))
    low = usage.free < min_free or (100.0 * usage.free / usage.total) < min_percent
    return DiskStatus(str(path), usage.free, usage.total, low)


def disk_warnings() -> list[str]:
    status = disk_status()
    if not status.low:
        return []
    return [
        f"警告: ディスクの空き容量が少なくなっています（{status.path}: 空き {status.free_bytes / 1024**3:.1f} GiB、"
        f"{status.free_percent:.1f}%）。空きがなくなると操作履歴を書けず、すべての操作が止まります。"
    ]


def last_status() -> dict[str, Any]:
    """A cheap status for dashboards: head, latest checkpoint, guards, disk (no full recomputation)."""
    head_seq = Entry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    latest = Checkpoint.objects.order_by("-at", "-id").values("lane", "seq", "at", "reason").first()
    return {
        "head_seq": head_seq,
        "lanes": ChainHead.objects.count(),
        "latest_checkpoint": latest,
        "guards": guards.installed(connections[DEFAULT_DB_ALIAS]),
        "disk": disk_status(),
        "at": timezone.now(),
    }

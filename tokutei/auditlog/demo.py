"""Demo data for the operation log: a signed-off review and a signed checkpoint of what the demo wrote."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from tokutei.profiles.selectors import get_profile
from tokutei.staff.selectors import holders_of

from . import signing
from .checkpoints import checkpoint
from .rules import reader_roles
from .services import record, sign_off_review


def load() -> list[str]:
    profile = get_profile()
    lines: list[str] = []
    # Three failed sign-ins from an unknown user ID, so the analysis page has something to show.
    for _ in range(3):
        record(action="staff.sign_in_failed", result="failed", details={"username": "unknown-demo"})
    reviewer = next((u for role in sorted(reader_roles(profile)) for u in holders_of(role)), None)
    if reviewer is not None:
        today = timezone.localdate()
        sign_off_review(reviewer=reviewer, period_from=today - dt.timedelta(days=7), period_to=today,
                        findings="デモ: 拒否の記録とサインイン失敗（不明なユーザID 3回）を確認した。", issues_found=False)
        lines.append(f"操作履歴の点検記録: {reviewer.username} が署名済み（/log/reviews/）")
    if signing.has_key():
        made = checkpoint(reason="manual")
        if made:
            lines.append(f"操作履歴: 署名付きチェックポイント {len(made)}件、公開鍵指紋 {made[0].key_fingerprint[:16]}…"
                         "（/log/integrity/）")
    return lines

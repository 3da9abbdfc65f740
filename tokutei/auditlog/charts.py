"""A small server-rendered SVG bar chart (no JavaScript, nothing from a CDN)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from tokutei.core.jdates import to_wareki


@dataclass
class Bar:
    x: float
    width: float
    ok_y: float
    ok_h: float
    refused_y: float
    refused_h: float
    label: str
    title: str


def daily_bars(days: list[dict], *, width: int = 720, height: int = 180, pad: int = 24) -> dict:
    """Geometry for a stacked bar per day (ok below, refused on top), for templates/auditlog/_chart.svg."""
    n = max(len(days), 1)
    peak = max((d["ok"] + d["refused"] for d in days), default=0) or 1
    slot = (width - 2 * pad) / n
    scale = (height - 2 * pad) / peak
    bars = []
    label_every = max(1, n // 10)
    for i, d in enumerate(days):
        ok_h, ref_h = d["ok"] * scale, d["refused"] * scale
        base = height - pad
        bars.append(Bar(
            x=round(pad + i * slot + slot * 0.1, 1), width=round(max(slot * 0.8, 1), 1),
            ok_y=round(base - ok_h, 1), ok_h=round(ok_h, 1),
            refused_y=round(base - ok_h - ref_h, 1), refused_h=round(ref_h, 1),
            label=f"{d['day'].month}/{d['day'].day}" if i % label_every == 0 else "",
            title=_("%(day)s: 成功 %(ok)s件 / 拒否・失敗 %(refused)s件") % {
                "day": to_wareki(d["day"]), "ok": d["ok"], "refused": d["refused"]},
        ))
    return {"bars": bars, "width": width, "height": height, "peak": peak, "pad": pad,
            "baseline": height - pad, "label_y": height - 6}

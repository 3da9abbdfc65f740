"""Articles as people read them: 「取扱要綱第14条第7号」 from the profile's machine form ``004 §14(7)``.

The profile writes each article in a compact machine form (``§11.3`` = 第11条第3項, ``§14(7)`` = 第14条第7号,
``§3(1)イ`` = 第3条第1号イ, ``§10–§16`` = 第10条から第16条まで; ``別紙1``, ``別表``, ``附則`` as they are;
groups separated by ``;``, a group may start with the regulation's number or another instrument's
word, e.g. ``規則 §2(2)``). That form stays in the operation log and in machine output (CSV, JSON);
screens, messages and printed registers show :func:`cite`.

Notes for the implementers in parentheses (``（requirements §6）``) are dropped for users; notes that
explain the rule (``（一括取得に用いる）``) are kept.
"""

from __future__ import annotations

import re
from functools import lru_cache

from django.utils import translation

_ITEM = re.compile(
    r"^§(?P<art>\d+)(?:[.\-](?P<para>\d+))?(?:\((?P<item>\d+)\))?(?P<sub>[イロハニホヘトチリヌルヲワカヨタレソツネナラム\u2460-\u2473]*)$"
)
_RANGE = re.compile(r"^(§[^–~〜-]+)[–~〜](§.+)$")
_GROUP_HEAD = re.compile(r"^(?P<head>[^§\s]+)\s+(?P<rest>§.*)$")
_INTERNAL_NOTE = re.compile(r"requirements|R-[A-Z]+-\d|E-\d\d", re.IGNORECASE)
_NOTE = re.compile(r"（([^（）]*)）|\(([^()]*[^\d()][^()]*)\)")


def _english() -> bool:
    return (translation.get_language() or "ja").startswith("en")


def _section(text: str, english: bool) -> str:
    m = _ITEM.match(text)
    if m is None:
        return text.lstrip("§")
    art, para, item, sub = m["art"], m["para"], m["item"], m["sub"]
    if english:
        out = f"Art. {art}"
        if para:
            out += f"({para})"
        if item:
            out += f", item {item}"
        return out + (f" {sub}" if sub else "")
    out = f"第{art}条"
    if para:
        out += f"第{para}項"
    if item:
        out += f"第{item}号"
    return out + sub


def _item(text: str, english: bool) -> str:
    text = text.strip()
    rng = _RANGE.match(text)
    if rng:
        a, b = _section(rng[1], english), _section(rng[2], english)
        return f"{a}–{b}" if english else f"{a}から{b}まで"
    return _section(text, english)


def _split_note(text: str) -> tuple[str, str]:
    """("§16", "規程 §18 による。要綱外") from "§16（規程 §18 による。要綱外）"."""
    m = re.search(r"（(.*)）$", text)
    if m is None:
        return text, ""
    return text[: m.start()].strip(), m[1]


def _render_note(note: str, english: bool) -> str:
    if not note or _INTERNAL_NOTE.search(note):
        return ""
    # A note may itself cite sections of the same instrument (「規程 §18 による」).
    rendered = re.sub(r"§[0-9][0-9().\-–イロハニホヘト]*", lambda m: _item(m[0], english), note)
    return f" ({rendered})" if english else f"（{rendered}）"


def instrument_name(profile, head: str | None = None) -> str:
    """The short name of the regulation (or of another instrument named by ``head``, e.g. 規則)."""
    org = profile.organisation
    english = _english()
    if head is None or head == org.code:
        if english:
            return org.short_en or "the regulation"
        return org.short_ja or org.instrument
    return head


@lru_cache(maxsize=4096)
def _cite(article: str, own_name: str, code: str, english: bool) -> str:
    parts: list[str] = []
    for group in (g.strip() for g in article.split(";")):
        if not group or group in {"—", "-"}:
            continue
        m = _GROUP_HEAD.match(group)
        head, rest = (m["head"], m["rest"]) if m else (None, group)
        if head is None and not group.startswith("§"):
            first, _sep, tail = group.partition(" ")
            if first == code:
                head, rest = first, tail
        name = own_name if head in (None, code) else head
        items = [i for i in re.split(r",\s*|、", rest) if i.strip()]
        rendered = []
        for raw in items:
            body, note = _split_note(raw.strip())
            rendered.append(_item(body, english) + _render_note(note, english))
        joined = (", " if english else "、").join(rendered)
        parts.append(f"{name} {joined}" if english else f"{name}{joined}")
    return ("; " if english else "；").join(parts)


def cite(article: str | None, profile=None) -> str:
    """The article as users read it, in the active language; "" for none."""
    if not article or article.strip() in {"", "—", "-"}:
        return ""
    if profile is None:
        from .selectors import get_profile

        try:
            profile = get_profile()
        except Exception:  # no profile in force (before `tokutei init`): show the form as written
            return article
    org = profile.organisation
    english = _english()
    return _cite(article, instrument_name(profile), org.code, english)


_IN_TEXT = re.compile(r"§(?P<art>\d+)(?:-(?P<no>\d+))?(?:\.(?P<para>\d+))?(?:\((?P<item>\d+)(?:の(?P<item_no>\d+))?\))?")


def cite_in_text(text: str | None) -> str:
    """A profile's free text (a supplementary instrument, a task's law) with each ``§…`` it names read as
    第N条: 「規程（§9 本人確認の措置）」 → 「規程（第9条 本人確認の措置）」, 「住民基本台帳法 §30-9」 →
    「住民基本台帳法第30条の9」 (a law's branch article), 「§7(8の2)」 → 「第7条第8号の2」. The text names its
    own instrument, so no name is added."""
    if not text:
        return ""
    english = _english()

    def one(m: re.Match) -> str:
        art = m["art"] + (f"-{m['no']}" if english and m["no"] else "")
        if english:
            out = f"Art. {art}" + (f"({m['para']})" if m["para"] else "")
            return out + (f", item {m['item']}" + (f"-{m['item_no']}" if m["item_no"] else "") if m["item"] else "")
        out = f"第{m['art']}条" + (f"の{m['no']}" if m["no"] else "") + (f"第{m['para']}項" if m["para"] else "")
        if m["item"]:
            out += f"第{m['item']}号" + (f"の{m['item_no']}" if m["item_no"] else "")
        return out

    if not english:  # 「住民基本台帳法 §7」 → 「住民基本台帳法第7条」: no space before the article in Japanese
        text = re.sub(r"(?<=[^\s（(、,;；])\s+(?=§)", "", text)
    return _IN_TEXT.sub(one, text)

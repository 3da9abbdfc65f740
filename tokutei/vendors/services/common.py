"""What every vendor service shares: the logged refusal, the text checks, the profile's outsourcing."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from tokutei.auditlog.actions import Action
from tokutei.auditlog.services import refuse
from tokutei.core.errors import Refused
from tokutei.core.mynumber import looks_like_my_number
from tokutei.core.text import is_clean
from tokutei.policy import Actor
from tokutei.profiles.selectors import get_profile


def outsourcing():
    return get_profile().outsourcing


def article_or_general(article: str) -> str:
    return article if article and article != "—" else outsourcing().article


def no(actor: Actor, message: str, *, action: Action, article: str = "", code: str = "refused",
       target: tuple[str, Any] = ("", ""), details: dict[str, Any] | None = None) -> Refused:
    """Log a refusal for ``actor`` and return it (raise it). The article defaults to ``outsourcing.article``."""
    return refuse(message, action=str(action), article=article_or_general(article), code=code,
                  target_type=target[0], target_id=target[1] if target[1] is not None else "",
                  details={"channel": actor.channel.value, **(details or {})}, **actor.log_fields())


def clean(actor: Actor, action: Action, target: tuple[str, Any] = ("", ""), **texts: str) -> dict[str, str]:
    """Strip the texts; refuse control characters and anything shaped like a 個人番号."""
    out = {}
    for name, text in texts.items():
        text = (text or "").strip()
        if not is_clean(text, multiline=True):
            raise no(actor, _("使用できない文字（制御文字など）が含まれています"), action=action, code="bad_text",
                     target=target)
        if looks_like_my_number(text):
            raise no(actor, _("個人番号らしき数字が含まれています。委託先の記録に個人番号を書くことはできません"),
                     action=action, code="my_number_in_text", target=target)
        out[name] = text
    return out

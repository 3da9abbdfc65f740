"""Refusals: what the rules forbid, with the article that forbids it."""

from __future__ import annotations


class Refused(Exception):
    """An operation the regulations forbid. ``message`` is Japanese and cites ``article``.

    Raise it through :func:`tokutei.auditlog.services.refuse`, which logs the refusal first
    ("every refusal is logged"). Callers show ``str(exc)`` to the user.
    """

    def __init__(self, message: str, *, article: str = "", code: str = "refused"):
        self.message = message
        self.article = article
        self.code = code
        super().__init__(self.display())

    def display(self) -> str:
        return f"{self.message}（{self.article}）" if self.article else self.message


class NotFoundOrForbidden(Refused):
    """A missing record and a forbidden one look the same to the caller."""

    def __init__(self, article: str = ""):
        super().__init__("該当する記録がないか、閲覧する権限がありません", article=article, code="not_found")

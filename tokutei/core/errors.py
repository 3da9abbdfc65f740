"""Refusals: what the rules forbid, with the article that forbids it."""

from __future__ import annotations


class Refused(Exception):
    """An operation the regulations forbid. ``message`` is Japanese; ``article`` is the profile's machine
    form (``004 §14(7)``), shown to people as the profile cites it (``citation``: 「取扱要綱第14条第7号」).

    Raise it through :func:`tokutei.policy.require` or :func:`tokutei.auditlog.services.refuse`, which
    log the refusal first ("every refusal is logged"); ``logged`` says that has happened. Callers show
    ``str(exc)`` (or ``display()``) to the user.
    """

    status = 403

    def __init__(self, message: str, *, article: str = "", code: str = "refused", logged: bool = False):
        self.message = message
        self.article = article
        self.code = code
        self.logged = logged
        super().__init__(message)

    @property
    def citation(self) -> str:
        from tokutei.profiles.citations import cite

        return cite(self.article)

    def display(self) -> str:
        citation = self.citation
        return f"{self.message}（{citation}）" if citation else self.message

    def __str__(self) -> str:
        return self.display()


NOT_FOUND_MESSAGE = "該当する記録がないか、閲覧する権限がありません"


class NotFoundOrForbidden(Refused):
    """A missing record and a forbidden one look the same to the caller (404 everywhere)."""

    status = 404

    def __init__(self, article: str = "", *, logged: bool = False):
        super().__init__(NOT_FOUND_MESSAGE, article=article, code="not_found", logged=logged)

"""The JSON API under /api/v1/ (django-ninja). OpenAPI: /api/v1/openapi.json.

Each app contributes a ``Router`` in its ``api.py`` (with its ``PREFIX``) and names it on its AppConfig
(``api_router``, tokutei.core.hooks); they are mounted here.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder

from tokutei.core.errors import NOT_FOUND_MESSAGE, Refused
from tokutei.core.hooks import app_hooks
from tokutei.core.text import INVALID_MESSAGE, log_text

log = logging.getLogger("tokutei.api")

JST = dt.timezone(dt.timedelta(hours=9), "JST")


class _Encoder(NinjaJSONEncoder):
    """Times as RFC 3339 with the fixed offset +09:00: Asia/Tokyo's local mean time before 1888 (+09:18:59)
    has seconds in its offset, which RFC 3339 cannot write."""

    def default(self, o: object) -> object:
        if isinstance(o, dt.datetime) and o.tzinfo is not None:
            return o.astimezone(JST).isoformat()
        return super().default(o)


class Renderer(JSONRenderer):
    encoder_class = _Encoder
    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    renderer=Renderer(),
    title="Tokutei API",
    version="1",
    description="特定個人情報等 安全管理システム JSON API",
    urls_namespace="api",
    docs_url=None,  # the interactive docs page loads assets from a CDN; only the JSON schema is served
)


@api.exception_handler(Refused)
def _refused(request: HttpRequest, exc: Refused) -> HttpResponse:
    """The same refusal as the pages: 403, or 404 for a record missing or out of scope; the article in
    its machine form (``article``) and as people read it (``citation``)."""
    if not exc.logged:
        from tokutei.auditlog.actions import Action
        from tokutei.auditlog.services import record

        user = getattr(request, "user", None)
        record(action=Action.STAFF_ACCESS, actor=user if user is not None and user.is_authenticated else None,
               terminal=getattr(request, "terminal", None), result="refused", article=exc.article,
               reason=exc.message, details={"code": exc.code, "path": request.path[:200]})
        exc.logged = True
    return api.create_response(
        request, {"detail": exc.display(), "code": exc.code, "article": exc.article, "citation": exc.citation},
        status=exc.status,
    )


# --- errors: every answer of the API is JSON with a stable ``code`` (docs/input.md) ------------------------
STATUS_CODES = {400: "invalid", 401: "unauthenticated", 403: "forbidden", 404: "not_found",
                405: "method_not_allowed", 409: "conflict", 413: "too_large", 415: "unsupported_media_type", 422: "invalid",
                429: "too_many_requests", 500: "server_error", 503: "unavailable"}
STATUS_MESSAGES = {400: "入力内容に誤りがあります", 401: "サインインしてください（セッションの有効期限が切れた可能性があります）",
                   403: "この操作は許可されていません", 404: NOT_FOUND_MESSAGE, 405: "この方法では要求できません",
                   413: "送信された内容が大きすぎます", 422: "入力内容に誤りがあります", 429: "要求が多すぎます。しばらく待ってから再度お試しください",
                   500: "システムエラーが発生しました。管理者に連絡してください", 503: "現在利用できません"}


def error_body(status: int, *, detail: str = "", code: str = "", **extra: object) -> dict:
    return {"detail": detail or STATUS_MESSAGES.get(status, "エラーが発生しました"),
            "code": code or STATUS_CODES.get(status, f"http_{status}"), **extra}


def json_error(status: int, *, detail: str = "", code: str = "") -> JsonResponse:
    """An error answer of the API outside django-ninja (no route, a middleware, a server error)."""
    return JsonResponse(error_body(status, detail=detail, code=code), status=status,
                        json_dumps_params={"ensure_ascii": False})


_MESSAGES = {
    "missing": "必須項目です",
    "int_parsing": "整数で入力してください", "int_type": "整数で入力してください",
    "int_from_float": "整数で入力してください", "float_parsing": "数値で入力してください",
    "bool_parsing": "true または false で指定してください", "bool_type": "true または false で指定してください",
    "string_type": "文字列で入力してください", "dict_type": "オブジェクトで指定してください",
    "list_type": "配列で指定してください", "literal_error": "指定できる値ではありません", "enum": "指定できる値ではありません",
    "date_parsing": "日付は 2024-04-01 の形で入力してください", "date_from_datetime_parsing":
        "日付は 2024-04-01 の形で入力してください", "date_type": "日付は 2024-04-01 の形で入力してください",
    "datetime_parsing": "日時は 2024-04-01T09:00:00+09:00 の形で入力してください",
    "datetime_from_date_parsing": "日時は 2024-04-01T09:00:00+09:00 の形で入力してください",
    "datetime_type": "日時は 2024-04-01T09:00:00+09:00 の形で入力してください",
    "less_than_equal": "値が大きすぎます", "less_than": "値が大きすぎます",
    "greater_than_equal": "値が小さすぎます", "greater_than": "値が小さすぎます",
    "too_long": "項目が多すぎます", "json_invalid": "JSON の形式が正しくありません",
    "model_attributes_type": "オブジェクトで指定してください",
    "string_unicode": INVALID_MESSAGE, "string_pattern_mismatch": "指定できる値ではありません",
    "extra_forbidden": "この項目は指定できません", "too_short": "項目が足りません",
}


def _message(error: dict) -> str:
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    if kind == "value_error" and "error" in ctx:
        return log_text(str(ctx["error"]), 200)
    if kind == "string_too_long" and "max_length" in ctx:
        return f"{ctx['max_length']}文字以内で入力してください"
    if kind == "string_too_short":
        return "入力してください"
    return _MESSAGES.get(kind, "入力内容に誤りがあります")


def _field(error: dict) -> str:
    loc = [str(part) for part in (error.get("loc") or [])]
    if loc and loc[0] in ("body", "query", "path", "header", "cookie", "form"):
        loc = loc[1:]
    if loc and loc[0] == "payload":
        loc = loc[1:]
    return log_text(".".join(loc) or "body", 60)


def log_api_refusal(request: HttpRequest, *, code: str, reason: str, details: dict | None = None) -> None:
    """Every refusal of the API is logged (the entry holds the field names and codes, never the values)."""
    from tokutei.auditlog.actions import Action
    from tokutei.auditlog.services import record
    from tokutei.core.fields import clear_refusals
    from tokutei.policy.engine import general_article

    clear_refusals()  # this entry covers them
    account = getattr(request, "service_account", None)
    user = getattr(account, "user", None) or getattr(request, "user", None)
    record(action=Action.STAFF_ACCESS, actor=user if user is not None and user.is_authenticated else None,
           terminal=getattr(request, "terminal", None), result="refused", reason=reason, article=general_article(),
           details={"code": code, "path": log_text(request.path, 200), "method": log_text(request.method, 10),
                    **(details or {})})


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """Input that the schemas do not allow: 422 with a Japanese message per field, logged. A record id out of
    the columns' range in the path is a record that cannot exist: 404, like a missing one."""
    errors = [e for e in exc.errors if isinstance(e, dict)]
    if errors and all((e.get("loc") or [""])[0] == "path" for e in errors):
        log_api_refusal(request, code="not_found", reason=NOT_FOUND_MESSAGE, details={"fields": ["path"]})
        return api.create_response(request, error_body(404), status=404)
    fields: dict[str, str] = {}
    for error in errors[:50]:
        fields.setdefault(_field(error), _message(error))
    log_api_refusal(request, code="invalid", reason=STATUS_MESSAGES[422],
                    details={"fields": sorted(fields)[:50], "errors": sorted({str(e.get("type", ""))[:40]
                                                                             for e in errors[:50]})})
    return api.create_response(request, error_body(422, errors=fields), status=422)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(request, error_body(401), status=401)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    status = exc.status_code
    if status >= 500:
        log.error("API error %s on %s", status, log_text(request.path, 200))
    return api.create_response(request, error_body(status), status=status)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, error_body(404), status=404)


@api.exception_handler(Exception)
def _server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    """An unexpected error: logged for the administrator (the log filter hides 個人番号), answered as JSON."""
    log.exception("API server error on %s %s", request.method, log_text(request.path, 200))
    return api.create_response(request, error_body(500), status=500)


for _hook in app_hooks("api_router"):
    api.add_router(f"/{importlib.import_module(_hook.path.rpartition('.')[0]).PREFIX}", _hook.target)

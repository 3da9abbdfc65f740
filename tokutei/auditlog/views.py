"""Log pages (/log/): search, analysis reports, review sign-off, integrity status. Read-only."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from tokutei.core.errors import Refused
from tokutei.profiles.selectors import get_profile

from . import access, charts, exports, reports, selectors, signing
from .forms import PeriodForm, ReviewForm, SearchForm
from .models import Checkpoint, LogReview
from .services import record, refuse, sign_off_review
from .status import last_status
from .verify import verify_database

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ARTICLE = "R-LOG-3"


def _terminal(request: HttpRequest):
    return getattr(request, "terminal", None)


def requires(check: Callable) -> Callable:
    """Sign-in, then ``check(user, profile)``; a refusal is logged and shown with its article."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        @login_required
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            profile = get_profile()
            if not check(request.user, profile):
                exc = refuse(_("操作履歴を閲覧する役割がありません"), action="log.view", article=ARTICLE,
                             actor=request.user, terminal=_terminal(request),
                             details={"path": request.path[:200]})
                return _refused(request, exc)
            return view(request, profile, *args, **kwargs)

        return wrapped

    return decorator


def _refused(request: HttpRequest, exc: Refused) -> HttpResponse:
    return render(request, "auditlog/refused.html", {"refusal": exc}, status=403)


def _attachment(data: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@requires(access.may_search)
def search(request: HttpRequest, profile) -> HttpResponse:
    """操作履歴の検索 (002 §22, 003 §16(5))."""
    scope = access.scope(request.user, profile)
    assert scope is not None  # may_search: a reader or a manager, who has a scope
    form = SearchForm(request.GET or None)
    entries = page = chart = None
    if form.is_bound and form.is_valid():
        filters = form.filters()
        qs = selectors.search(filters, scope=scope).order_by("-seq")
        fmt = request.GET.get("format")
        if fmt in ("csv", "xlsx"):
            rows = list(qs[: exports.MAX_ROWS])
            record(action="log.export", actor=request.user, terminal=_terminal(request), count=len(rows),
                   target_type="log", details={"format": fmt, "filters": filters.used()})
            stamp = timezone.localtime().strftime("%Y%m%d%H%M")
            if fmt == "csv":
                return _attachment(exports.entries_csv(rows), f"oplog-{stamp}.csv", "text/csv; charset=utf-8")
            return _attachment(exports.entries_xlsx(rows), f"oplog-{stamp}.xlsx", XLSX)
        record(action="log.search", actor=request.user, terminal=_terminal(request), target_type="log",
               details={"filters": filters.used()})
        page = Paginator(qs, 100).get_page(request.GET.get("page"))
        entries = page.object_list
        day_to = filters.date_to or timezone.localdate()
        day_from = filters.date_from or day_to - dt.timedelta(days=29)
        if (day_to - day_from).days <= 366:
            chart = charts.daily_bars(selectors.daily_counts(qs, day_from=day_from, day_to=day_to))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    return render(request, "auditlog/search.html", {
        "form": form, "entries": entries, "page": page, "chart": chart, "query": query.urlencode(),
        "actions": selectors.known_actions(), "whole_log": not scope.children,
    })


@requires(access.may_search)
def analysis(request: HttpRequest, profile) -> HttpResponse:
    """操作履歴の分析 (R-LOG-5): time outside hours, volume, refusals, sign-in failures, reveals, terminals."""
    scope = access.scope(request.user, profile)
    assert scope is not None  # may_search: a reader or a manager, who has a scope
    form = PeriodForm(request.GET or None)
    day_from, day_to = form.period()
    results = reports.run_all(scope, day_from, day_to)
    fmt = request.GET.get("format")
    record(action="log.analyse", actor=request.user, terminal=_terminal(request), target_type="log",
           count=sum(len(r.findings) for r in results),
           details={"from": day_from.isoformat(), "to": day_to.isoformat(), "format": fmt or "html"})
    if fmt == "csv":
        return _attachment(exports.reports_csv(results), f"oplog-analysis-{day_from:%Y%m%d}-{day_to:%Y%m%d}.csv",
                           "text/csv; charset=utf-8")
    if fmt == "xlsx":
        return _attachment(exports.reports_xlsx(results),
                           f"oplog-analysis-{day_from:%Y%m%d}-{day_to:%Y%m%d}.xlsx", XLSX)
    days = selectors.daily_counts(selectors.search(selectors.Filters(), scope=scope),
                                  day_from=day_from, day_to=day_to)
    return render(request, "auditlog/analysis.html", {
        "form": form, "reports": results, "day_from": day_from, "day_to": day_to,
        "chart": charts.daily_bars(days), "total": reports.total_records(scope, day_from, day_to),
        "query": f"date_from={day_from.isoformat()}&date_to={day_to.isoformat()}",
    })


@requires(access.may_search)
def reviews(request: HttpRequest, profile) -> HttpResponse:
    """操作履歴の点検と承認 (R-LOG-4): the reviewer signs off a period with findings."""
    may_sign = access.is_reader(request.user, profile)
    form = ReviewForm(request.POST or None)
    if request.method == "POST":
        if not may_sign:
            return _refused(request, refuse(_("操作履歴の点検を記録する役割がありません"), action="log.review",
                                            article=ARTICLE, actor=request.user, terminal=_terminal(request)))
        if form.is_valid():
            data = form.cleaned_data
            sign_off_review(reviewer=request.user, terminal=_terminal(request), period_from=data["period_from"],
                            period_to=data["period_to"], findings=data["findings"],
                            issues_found=data["issues_found"])
            messages.success(request, _("点検結果を記録しました。"))
            return redirect("auditlog:reviews")
    return render(request, "auditlog/reviews.html", {
        "form": form, "may_sign": may_sign,
        "reviews": LogReview.objects.select_related("reviewer")[:100],
    })


@requires(access.is_reader)
def integrity(request: HttpRequest, profile) -> HttpResponse:
    """Chain status, signed checkpoints, the public key; verify on demand."""
    report = None
    if request.method == "POST":
        report = verify_database(make_checkpoint=True)
        record(action="log.verify", actor=request.user, terminal=_terminal(request), target_type="log",
               result="ok" if report.ok else "failed",
               details={"last_seq": report.last_seq,
                        "first_bad_seq": report.first_problem.seq if report.first_problem else None})
    fingerprint = signing.fingerprint(signing.public_key()) if signing.has_key() else ""
    return render(request, "auditlog/integrity.html", {
        "status": last_status(), "report": report, "fingerprint": fingerprint,
        "checkpoints": Checkpoint.objects.order_by("-seq", "-id")[:20],
    })


@requires(access.is_reader)
def checkpoint_print(request: HttpRequest, profile, pk: int) -> HttpResponse:
    """A page to print and keep on paper: the checkpoint and the key fingerprint (outside the database)."""
    cp = get_object_or_404(Checkpoint, pk=pk)
    fingerprint = signing.fingerprint(signing.public_key()) if signing.has_key() else ""
    return render(request, "auditlog/checkpoint_print.html", {
        "cp": cp, "fingerprint": fingerprint, "org": profile.organisation, "printed_at": timezone.now(),
        "fingerprint_ok": fingerprint == cp.key_fingerprint,
    })


@requires(access.is_reader)
def public_key(request: HttpRequest, profile) -> HttpResponse:
    if not signing.has_key():
        return HttpResponse(_("署名鍵がありません"), status=404, content_type="text/plain; charset=utf-8")
    return _attachment(signing.public_pem(signing.public_key()), "tokutei-audit-ed25519.pub.pem",
                       "application/x-pem-file")

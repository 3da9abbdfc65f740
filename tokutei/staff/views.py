"""Sign-in, second factors, password change, sign-out and terminal enrolment (the pages everyone uses)."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tokutei.auditlog.actions import Action
from tokutei.auditlog.models import Entry
from tokutei.auditlog.services import record, refuse
from tokutei.core.errors import Refused
from tokutei.core.mynumber import strip_number_like
from tokutei.policy import Actor
from tokutei.policy.web import action_required
from tokutei.profiles.selectors import get_profile

from . import factors, services, signin
from .forms import EnrolCodeForm, PasswordChangeForm, SignInForm, TotpForm
from .http import SignedInRequest, TerminalRequest
from .selectors import (
    active_password_only_decision,
    allowed_factor_kinds,
    handler_assignments,
    password_change_required,
    usable_factors,
)

TOTP_SECRET_KEY = "tokutei_totp_enrol_secret"  # noqa: S105
WEBAUTHN_CHALLENGE_KEY = "tokutei_webauthn_challenge"


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or request.session.get("tokutei_next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return strip_number_like(target, reverse("core:dashboard"))
    return reverse("core:dashboard")


def _after_sign_in(request: HttpRequest) -> HttpResponseRedirect:
    target = _next_url(request)
    request.session.pop("tokutei_next", None)
    user = request.user
    assert user.is_authenticated  # called right after signin.complete() signed the user in
    if password_change_required(user):
        return redirect("staff:password_change")
    return redirect(target)


def login_view(request: HttpRequest) -> HttpResponse:
    """Step 1: user ID and password."""
    if request.user.is_authenticated and request.method == "GET":
        return redirect(_next_url(request))
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = signin.password_step(request, form.cleaned_data["username"], form.cleaned_data["password"])
        except signin.SignInFailed as exc:
            form.add_error(None, str(exc))
        else:
            if result.next_step == "done":
                return _after_sign_in(request)
            request.session["tokutei_next"] = _next_url(request)
            return redirect("staff:verify" if result.next_step == "verify" else "staff:enrol")
    return render(request, "staff/login.html", {"form": form,
                                                    "next": strip_number_like(request.GET.get("next", ""), "")})


def _pending_or_redirect(request: HttpRequest):
    user = signin.pending_user(request)
    if user is None:
        messages.error(request, _("サインインの有効時間が過ぎました。もう一度ユーザIDとパスワードを入力してください。"))
    return user


def verify_view(request: HttpRequest) -> HttpResponse:
    """Step 2: the second factor (TOTP code, or WebAuthn in the browser)."""
    user = _pending_or_redirect(request)
    if user is None:
        return redirect("staff:login")
    kinds = {f.kind for f in usable_factors(user, kinds=allowed_factor_kinds())}
    form = TotpForm(request.POST or None)
    if request.method == "POST" and "totp" in kinds and form.is_valid():
        if factors.verify_totp(user, form.cleaned_data["code"]) is not None:
            signin.complete(request, user, method="password+totp")
            return _after_sign_in(request)
        signin.register_failure(request, user, action="staff.second_factor_failed", reason="bad_totp")
        if signin.pending_user(request) is None:
            messages.error(request, _("失敗が続いたため、このユーザIDは一時的にロックされました。"))
            return redirect("staff:login")
        form.add_error("code", _("確認コードが正しくありません。"))
    return render(request, "staff/verify.html", {
        "form": form, "kinds": kinds, "pending": user,
        "exception_allowed": get_profile().authentication.password_only_exception.allowed,
    })


@require_POST
def password_only_view(request: TerminalRequest) -> HttpResponse:
    """001 §5.3: ID + password only — allowed only with a recorded decision; otherwise refused (E-12)."""
    user = _pending_or_redirect(request)
    if user is None:
        return redirect("staff:login")
    exception = get_profile().authentication.password_only_exception
    decision = active_password_only_decision(user) if exception.allowed else None
    if decision is None:
        try:
            raise refuse(
                "ID・パスワードのみのサインインには、セキュリティ責任者の決定と指示の記録が必要です。",
                action="staff.sign_in", article=exception.article if exception.allowed
                else get_profile().authentication.article, actor=user, terminal=request.terminal,
                target_type="user", target_id=user.pk, code="password_only_refused",
            )
        except Refused as exc:
            messages.error(request, str(exc))
            return redirect("staff:verify")
    signin.complete(request, user, method="password_only_exception", details={"decision_id": decision.pk})
    return _after_sign_in(request)


def enrol_view(request: TerminalRequest) -> HttpResponse:
    """Enrol a second factor: at first sign-in (pending user) or later from the account page."""
    user = request.user if request.user.is_authenticated else _pending_or_redirect(request)
    if user is None:
        return redirect("staff:login")
    first_sign_in = not request.user.is_authenticated
    if first_sign_in and usable_factors(user, kinds=allowed_factor_kinds()).exists():
        return redirect("staff:verify")  # enrolling with the password alone is only for the first factor
    kinds = allowed_factor_kinds()
    secret: str = request.session.get(TOTP_SECRET_KEY) or ""
    if "totp" in kinds and (not secret or request.method == "GET"):
        secret = factors.new_totp_secret()
        request.session[TOTP_SECRET_KEY] = secret
    form = TotpForm(request.POST or None)
    if request.method == "POST" and "totp" in kinds and form.is_valid():
        factor = factors.enrol_totp(user=user, terminal=request.terminal, secret=secret, code=form.cleaned_data["code"])
        if factor is not None:
            request.session.pop(TOTP_SECRET_KEY, None)
            if first_sign_in:
                signin.complete(request, user, method="password+totp", details={"enrolled": True})
                return _after_sign_in(request)
            messages.success(request, _("認証アプリを登録しました。"))
            return redirect("staff:security")
        form.add_error("code", _("確認コードが正しくありません。認証アプリの表示をもう一度確認してください。"))
    context = {"form": form, "kinds": kinds, "first_sign_in": first_sign_in, "pending": user,
               "biometric_required": get_profile().authentication.biometric_required}
    if "totp" in kinds:
        uri = factors.totp_uri(user, secret)
        context.update(qr_svg=factors.qr_svg(uri), secret=secret)
    return render(request, "staff/enrol.html", context)


def _webauthn_user(request: HttpRequest):
    return request.user if request.user.is_authenticated else signin.pending_user(request)


@require_POST
def webauthn_register_options(request: HttpRequest) -> HttpResponse:
    user = _webauthn_user(request)
    if user is None or "webauthn" not in allowed_factor_kinds():
        return JsonResponse({"error": _("サインインし直してください。")}, status=403)
    if not request.user.is_authenticated and usable_factors(user, kinds=allowed_factor_kinds()).exists():
        return JsonResponse({"error": _("登録済みの認証手段でサインインしてください。")}, status=403)
    try:
        factors.check_enrolment(user, getattr(request, "terminal", None))  # E-10: the approved application
    except Refused as exc:
        return JsonResponse({"error": str(exc)}, status=403)
    options, challenge = factors.registration_options(user)
    request.session[WEBAUTHN_CHALLENGE_KEY] = challenge
    return HttpResponse(options, content_type="application/json")


@require_POST
def webauthn_register_verify(request: TerminalRequest) -> HttpResponse:
    user = _webauthn_user(request)
    challenge = request.session.pop(WEBAUTHN_CHALLENGE_KEY, None)
    if user is None or challenge is None:
        return JsonResponse({"error": _("サインインし直してください。")}, status=403)
    try:
        factors.enrol_webauthn(user=user, terminal=request.terminal, challenge=challenge,
                               response=request.body.decode("utf-8"))
    except Refused as exc:  # logged where it was raised (no approved application, E-10)
        return JsonResponse({"error": str(exc)}, status=403)
    except Exception:  # the library raises several exception types for a bad response
        record(action="staff.second_factor_failed", actor=user, terminal=request.terminal,
               result=Entry.Result.FAILED, target_type="user", target_id=user.pk,
               details={"reason": "webauthn_register"})
        return JsonResponse({"error": _("生体認証の登録を確認できませんでした。")}, status=400)
    if not request.user.is_authenticated:
        signin.complete(request, user, method="password+webauthn", details={"enrolled": True})
        return JsonResponse({"next": _after_sign_in(request).url})
    return JsonResponse({"next": reverse("staff:security")})


@require_POST
def webauthn_auth_options(request: HttpRequest) -> HttpResponse:
    user = signin.pending_user(request)
    if user is None:
        return JsonResponse({"error": _("サインインし直してください。")}, status=403)
    options, challenge = factors.authentication_options(user)
    request.session[WEBAUTHN_CHALLENGE_KEY] = challenge
    return HttpResponse(options, content_type="application/json")


@require_POST
def webauthn_auth_verify(request: HttpRequest) -> HttpResponse:
    user = signin.pending_user(request)
    challenge = request.session.pop(WEBAUTHN_CHALLENGE_KEY, None)
    if user is None or challenge is None:
        return JsonResponse({"error": _("サインインし直してください。")}, status=403)
    try:
        factors.verify_webauthn(user, challenge=challenge, response=json.loads(request.body or b"{}"))
    except Exception:
        signin.register_failure(request, user, action="staff.second_factor_failed", reason="bad_webauthn")
        return JsonResponse({"error": _("生体認証を確認できませんでした。")}, status=400)
    signin.complete(request, user, method="password+webauthn")
    return JsonResponse({"next": _after_sign_in(request).url})


@require_POST
def logout_view(request: TerminalRequest) -> HttpResponse:
    if request.user.is_authenticated:
        record(action="staff.sign_out", actor=request.user, terminal=request.terminal, target_type="user",
               target_id=request.user.pk)
    logout(request)
    return redirect("staff:login")


@login_required
def password_change_view(request: SignedInRequest) -> HttpResponse:
    reason = password_change_required(request.user)
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_password(actor=Actor.from_request(request),
                                     old_password=form.cleaned_data["old_password"],
                                     new_password=form.cleaned_data["new_password1"])
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error("new_password1" if "現在" not in message else "old_password", message)
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, _("パスワードを変更しました。"))
            return redirect("core:dashboard")
    return render(request, "staff/password_change.html", {
        "form": form, "reason": reason, "min_length": get_profile().authentication.password_min_length,
    })


@login_required
def security_view(request: SignedInRequest) -> HttpResponse:
    """The user's own sign-in methods."""
    return render(request, "staff/security.html", {
        "factors": usable_factors(request.user), "kinds": allowed_factor_kinds(),
    })


def terminal_enrol_view(request: HttpRequest) -> HttpResponse:
    """On the terminal itself: exchange the one-time code for the terminal credential cookie."""
    form = EnrolCodeForm(request.POST or None, initial={"code": request.GET.get("code", "")})
    if request.method == "POST" and form.is_valid():
        try:
            terminal, credential = services.enrol_terminal(actor=Actor.from_request(request),
                                                           code=form.cleaned_data["code"])
        except Refused as exc:
            form.add_error("code", str(exc))
        else:
            # "terminal": the header's badge names the terminal on this very page (the cookie only
            # comes back with the next request).
            response = render(request, "staff/terminal_enrolled.html", {"enrolled": terminal, "terminal": terminal})
            response.set_cookie(
                settings.TERMINAL_COOKIE_NAME, credential, max_age=5 * 365 * 24 * 3600, httponly=True,
                samesite="Strict", secure=settings.TERMINAL_COOKIE_SECURE, path="/",
            )
            return response
    return render(request, "staff/terminal_enrol.html", {"form": form})


@action_required(Action.STAFF_ACCESS)
def my_scope_view(request: SignedInRequest) -> HttpResponse:
    """私の取扱範囲: the handler's designations, tasks and usable fields (a personal-data screen)."""
    profile = get_profile()
    rows = []
    for a in handler_assignments(request.user):
        for key in a.tasks:
            task = profile.tasks.get(key)
            if task is None:
                continue
            rows.append({"role": profile.roles[a.role_key].ja, "task": task.ja, "law": task.law,
                         "fields": [profile.fields[f].ja for f in task.fields if f in profile.fields],
                         "end_date": a.end_date})
    return render(request, "staff/my_scope.html", {"rows": rows})


@require_POST
@login_required
def keep_alive_view(request: HttpRequest) -> HttpResponse:
    """「操作を続ける」 on the idle-logoff warning: a request is activity (SignInPolicyMiddleware stores its
    time), so the session goes on; a session already past its limit was ended by the middleware instead."""
    limit = get_profile().authentication.idle_logoff_minutes * 60
    return JsonResponse({"ok": True, "idle_logoff_seconds": limit})

"""Staff administration pages (システム管理者; designations also for the profile's designating roles).

Who may open each page is the rule of its action in ``tokutei.staff.rules`` (``action_required``); a
refusal — logged with the profile's article — renders as the one refusal page (RefusalMiddleware). A
refusal that is about the data rather than the actor (a user ID already used, an ineligible designee)
is shown on the form it answers.
"""

from __future__ import annotations

import csv
import io

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_
from django.views.decorators.http import require_POST

from tokutei.auditlog.actions import Action
from tokutei.auditlog.services import record
from tokutei.core.errors import Refused
from tokutei.policy import get_or_refuse, require
from tokutei.policy.web import action_required, actor_of
from tokutei.profiles.selectors import get_profile

from . import services
from .forms import (
    DeactivateForm,
    DesignationForm,
    EndDesignationForm,
    PasswordOnlyDecisionForm,
    PostAssignForm,
    TerminalForm,
    TransferForm,
    UserCreateForm,
)
from .http import SignedInRequest
from .models import PasswordOnlyDecision, Post, PostHolding, ProvisioningTask, RoleAssignment, Terminal, User
from .scope import describe
from .selectors import designatable_roles, has_role, holder_alerts, operator_register


def _refused(request: HttpRequest, exc: Refused | ValidationError) -> None:
    messages.error(request, str(exc) if isinstance(exc, Refused) else "、".join(exc.messages))


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


# --- staff ----------------------------------------------------------------------------------------------


@action_required(Action.STAFF_VIEW)
def staff_list(request: SignedInRequest) -> HttpResponse:
    show_inactive = request.GET.get("all") == "1"
    users = User.objects.select_related("unit").order_by("username")
    if not show_inactive:
        users = users.filter(is_active=True)
    return render(request, "staff/admin/staff_list.html", {"users": users, "show_inactive": show_inactive,
                                                             "now": timezone.now()})


@action_required(Action.STAFF_USER_CREATE)
def staff_create(request: SignedInRequest) -> HttpResponse:
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user, password = services.create_user(actor=actor_of(request), **form.cleaned_data)
        except Refused as exc:
            form.add_error("username", str(exc))
        else:
            # The initial password is shown once, here, and must be changed at first sign-in.
            return render(request, "staff/admin/staff_created.html", {"created": user, "password": password})
    return render(request, "staff/admin/staff_create.html", {"form": form})


@action_required(Action.STAFF_VIEW)
def staff_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    member = get_or_refuse(actor_of(request), Action.STAFF_VIEW, User.objects.select_related("unit"), pk=pk)
    profile = get_profile()
    assignments = [
        {"a": a, "role": profile.roles[a.role_key].ja if a.role_key in profile.roles else a.role_key,
         "tasks": "、".join(profile.tasks[t].ja for t in a.tasks if t in profile.tasks), "active": a.is_active_on(),
         "scope": describe(a) if a.narrowed else ""}
        for a in RoleAssignment.objects.filter(user=member).select_related("designated_by")
    ]
    deletion = _enabled_approval(profile, "biometric_delete")
    return render(request, "staff/admin/staff_detail.html", {
        "member": member, "assignments": assignments,
        "holdings": PostHolding.objects.filter(user=member).select_related("post"),
        "transfer_form": TransferForm(), "deactivate_form": DeactivateForm(),
        "tasks_open": ProvisioningTask.objects.filter(user=member, closed_at__isnull=True),
        # 照合情報の削除には拠点管理者の申請とシステム管理者の承認 (000 §7.3, E-10), where the profile says so.
        "deletion_approval": deletion,
        "may_apply_deletion": deletion is not None and (not deletion.applicant_roles
                                                        or has_role(request.user, deletion.applicant_roles)),
    })


def _enabled_approval(profile, operation: str):
    rule = profile.approvals.get(operation)
    return rule if rule is not None and rule.enabled else None


@require_POST
@action_required(Action.STAFF_TRANSFER)
def staff_transfer(request: SignedInRequest, pk: int) -> HttpResponse:
    member = get_or_refuse(actor_of(request), Action.STAFF_TRANSFER, User.objects.all(), pk=pk)
    form = TransferForm(request.POST)
    if form.is_valid():
        try:
            count = services.transfer_user(actor=actor_of(request), user=member,
                                           unit=form.cleaned_data["unit"], reason=form.cleaned_data["reason"])
        except Refused as exc:
            _refused(request, exc)
        else:
            messages.success(request, f"異動を登録しました。指定・役職 {count} 件を直ちに取り消しました。")
    else:
        messages.error(request, "異動先を選んでください。")
    return redirect("staff:staff_detail", pk=pk)


@require_POST
@action_required(Action.STAFF_REVOKE)
def staff_deactivate(request: SignedInRequest, pk: int) -> HttpResponse:
    member = get_or_refuse(actor_of(request), Action.STAFF_REVOKE, User.objects.all(), pk=pk)
    form = DeactivateForm(request.POST)
    if form.is_valid() and member.pk != request.user.pk:
        try:
            services.deactivate_user(actor=actor_of(request), user=member,
                                     reason=form.cleaned_data["reason"])
        except Refused as exc:
            _refused(request, exc)
        else:
            messages.success(request, "職員を無効化しました（ユーザIDは再利用されません）。")
    else:
        messages.error(request, "理由を入力してください（自分自身は無効化できません）。")
    return redirect("staff:staff_detail", pk=pk)


@require_POST
@action_required(Action.STAFF_CREDENTIAL_RESET)
def staff_reset(request: SignedInRequest, pk: int) -> HttpResponse:
    """Recovery: a new temporary password, second factors revoked, or the lockout lifted."""
    member = get_or_refuse(actor_of(request), Action.STAFF_CREDENTIAL_RESET, User.objects.filter(is_active=True),
                           pk=pk)
    what = request.POST.get("what")
    password = services.reset_credentials(
        actor=actor_of(request), user=member, password=what == "password",
        second_factors=what == "second_factors", unlock=what == "unlock",
        approval_id=request.POST.get("approval_id") or None,
    )
    if password is not None:
        return render(request, "staff/admin/staff_created.html", {"created": member, "password": password,
                                                                  "reset": True})
    messages.success(request, {"second_factors": "第二要素の登録を取り消しました。次回サインイン時に再登録します。",
                               "unlock": "ロックを解除しました。"}.get(what or "", "変更はありません。"))
    return redirect("staff:staff_detail", pk=pk)


# --- designations -----------------------------------------------------------------------------------------


@action_required(Action.STAFF_DESIGNATE)
def designation_create(request: SignedInRequest) -> HttpResponse:
    profile = get_profile()
    roles = [(k, profile.roles[k].ja) for k in designatable_roles(request.user)]
    tasks = [(k, t.ja) for k, t in profile.selectable_tasks().items()]
    initial = {"start_date": timezone.localdate(), "user": request.GET.get("user")}
    form = DesignationForm(request.POST or None, roles=roles, tasks=tasks, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.designate(actor=actor_of(request), user=data["user"],
                               role_key=data["role_key"], tasks=data["tasks"], start_date=data["start_date"],
                               end_date=data["end_date"], note=data["note"])
        except Refused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "指定を登録しました。")
            return redirect("staff:register")
    return render(request, "staff/admin/designation_form.html", {"form": form})


@require_POST
@action_required(Action.STAFF_REVOKE)
def designation_end(request: SignedInRequest, pk: int) -> HttpResponse:
    assignment = get_or_refuse(actor_of(request), Action.STAFF_REVOKE, RoleAssignment.objects.all(), pk=pk)
    form = EndDesignationForm(request.POST)
    if form.is_valid():
        try:
            services.end_designation(actor=actor_of(request), assignment=assignment,
                                     end_date=form.cleaned_data["end_date"], reason=form.cleaned_data["reason"])
        except Refused as exc:
            _refused(request, exc)
        else:
            messages.success(request, "指定を終了しました。")
    return redirect(request.POST.get("back") or "staff:register")


# --- the operator register --------------------------------------------------------------------------------

REGISTER_COLUMNS = [
    ("user_id", N_("ユーザID")), ("name", N_("氏名")), ("unit", N_("所属")), ("role", N_("役割")), ("basis", N_("根拠")),
    ("tasks", N_("事務の範囲")), ("designated_by", N_("指定者")), ("start_date", N_("開始日")), ("end_date", N_("終了日")),
    ("auth", N_("認証方法")), ("scope", N_("取扱いの範囲")),
]
# The profile's own column labels (001 別記様式 is left open; 000 ユーザID管理簿) and the data they show.
REGISTER_LABELS = {
    "登録番号": "number", "ユーザID": "user_id", "識別符号": "user_id", "氏名": "name", "利用者": "name",
    "操作者": "name", "所属": "unit", "役割": "role", "事務の範囲": "tasks", "指定者": "designated_by",
    "交付者": "designated_by", "登録年月日": "start_date", "交付日": "start_date", "開始日": "start_date",
    "登録取消年月日": "end_date", "失効日": "end_date", "終了日": "end_date", "認証方法": "auth",
    "取扱いの範囲": "scope", "取扱範囲": "scope",
}


def _register():
    """The profile's operator register (its name and column labels), if it defines one."""
    for key, register in get_profile().registers.items():
        if key in {"operators", "user_ids"} or "操作者登録簿" in register.ja or "ユーザID管理簿" in register.ja:
            return register
    return None


def register_columns() -> list[tuple[str, str]]:
    """The profile's columns in its order and wording, then whatever R-IAM-1 needs that they lack."""
    register = _register()
    columns = [(REGISTER_LABELS[label], label) for label in (register.labels if register else [])
               if label in REGISTER_LABELS]
    shown = {key for key, _label in columns}
    if get_profile().handling_scope is None:  # no 取扱いの範囲 in this regulation (E-04: 002, 003 only)
        shown.add("scope")
    # In the page's language where the catalogue has the label (a profile's own wording stays as written).
    return [(key, gettext(label)) for key, label in
            columns + [(key, label) for key, label in REGISTER_COLUMNS if key not in shown]]


@action_required(Action.STAFF_REGISTER_VIEW)
def register_view(request: SignedInRequest) -> HttpResponse:
    """端末機操作者登録簿 / ユーザID管理簿 — printable, CSV and Excel (R-IAM-1, R-IAM-4)."""
    include_ended = request.GET.get("all") == "1"
    rows = operator_register(include_ended=include_ended)
    for row in rows:
        row["number"] = row["assignment"].pk
    register = _register()
    title = register.ja if register else _("端末機操作者登録簿（ユーザID管理簿）")
    columns = register_columns()
    fmt = request.GET.get("format")
    if fmt in {"csv", "xlsx"}:
        actor = actor_of(request)
        require(actor, Action.STAFF_REGISTER_EXPORT, target=("register", ""), details={"format": fmt})
        record(action=Action.STAFF_REGISTER_EXPORT, **actor.log_fields(), target_type="register", count=len(rows),
               details={"format": fmt})
        return _export(rows, fmt, title, columns)
    alerts = holder_alerts()
    table = [{"row": row, "cells": [_display(row, key) for key, _label in columns]} for row in rows]
    return render(request, "staff/admin/register.html", {
        "rows": table, "title": title, "include_ended": include_ended, "alerts": alerts,
        "columns": columns, "article": register.article if register else "",
    })


def _display(row: dict, key: str) -> str:
    from tokutei.core.jdates import to_wareki

    value = row[key]
    if value is None or value == "":
        return "—"
    text = to_wareki(value) if hasattr(value, "isoformat") else str(value)
    if key == "end_date" and row["revoked"]:
        text += "（取消し）"
    return text


def _cell(row: dict, key: str) -> str:
    value = row[key]
    if value is None:
        return ""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _export(rows: list[dict], fmt: str, title: str, columns: list[tuple[str, str]]) -> HttpResponse:
    stamp = timezone.localdate().strftime("%Y%m%d")
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow([label for _k, label in columns])
        for row in rows:
            writer.writerow([_cell(row, k) for k, _l in columns])
        # BOM so that Excel opens the UTF-8 CSV with the right encoding.
        response = HttpResponse("\ufeff" + buf.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="operator-register-{stamp}.csv"'
        return response
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "登録簿"
    ws.append([title])
    ws.append([label for _k, label in columns])
    for row in rows:
        ws.append([_cell(row, k) for k, _l in columns])
    out = io.BytesIO()
    wb.save(out)
    response = HttpResponse(out.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="operator-register-{stamp}.xlsx"'
    return response


# --- posts --------------------------------------------------------------------------------------------------


@action_required(Action.STAFF_VIEW)
def posts_view(request: SignedInRequest) -> HttpResponse:
    form = PostAssignForm(request.POST or None, initial={"start_date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.assign_post(actor=actor_of(request), **form.cleaned_data)
        except Refused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "役職の割当てを登録しました（充て職の役割も更新しました）。")
            return redirect("staff:posts")
    posts = Post.objects.select_related("unit").order_by("key")
    holdings = PostHolding.objects.select_related("post", "user").order_by("post__key", "-start_date")
    return render(request, "staff/admin/posts.html", {"form": form, "posts": posts, "holdings": holdings})


@require_POST
@action_required(Action.STAFF_REVOKE)
def post_end(request: SignedInRequest, pk: int) -> HttpResponse:
    holding = get_or_refuse(actor_of(request), Action.STAFF_REVOKE, PostHolding.objects.filter(end_date__isnull=True),
                            pk=pk)
    services.end_post_holding(actor=actor_of(request), holding=holding,
                              end_date=timezone.localdate())
    messages.success(request, "役職の保有を終了しました。")
    return redirect("staff:posts")


# --- terminals ----------------------------------------------------------------------------------------------


@action_required(Action.STAFF_VIEW)
def terminals_view(request: SignedInRequest) -> HttpResponse:
    form = TerminalForm(request.POST or None)
    issued = None
    if request.method == "POST" and form.is_valid():
        try:
            terminal, code = services.register_terminal(actor=actor_of(request),
                                                        **form.cleaned_data)
        except (Refused, ValidationError) as exc:
            form.add_error(None, str(exc) if isinstance(exc, Refused) else exc.messages[0])
        else:
            issued = {"terminal": terminal, "code": code}
            form = TerminalForm()
    return render(request, "staff/admin/terminals.html", {
        "form": form, "issued": issued, "terminals": Terminal.objects.order_by("revoked_at", "name"),
        "enrol_url": request.build_absolute_uri("/terminal/enrol/"),
    })


@require_POST
@action_required(Action.STAFF_TERMINAL_REVOKE)
def terminal_revoke(request: SignedInRequest, pk: int) -> HttpResponse:
    target = get_or_refuse(actor_of(request), Action.STAFF_TERMINAL_REVOKE,
                           Terminal.objects.filter(revoked_at__isnull=True), pk=pk)
    services.revoke_terminal(actor=actor_of(request), target=target,
                             reason=request.POST.get("reason", "")[:200])
    messages.success(request, f"端末「{target.name}」の登録を取り消しました。")
    return redirect("staff:terminals")


@require_POST
@action_required(Action.STAFF_TERMINAL_REGISTER)
def terminal_reissue(request: SignedInRequest, pk: int) -> HttpResponse:
    target = get_or_refuse(actor_of(request), Action.STAFF_TERMINAL_REGISTER,
                           Terminal.objects.filter(revoked_at__isnull=True), pk=pk)
    code = services.reissue_enrolment_code(actor=actor_of(request), target=target)
    return render(request, "staff/admin/terminals.html", {
        "form": TerminalForm(), "issued": {"terminal": target, "code": code},
        "terminals": Terminal.objects.order_by("revoked_at", "name"),
        "enrol_url": request.build_absolute_uri("/terminal/enrol/"),
    })


# --- provisioning tasks and the 001 exception ---------------------------------------------------------------


@action_required(Action.STAFF_VIEW)
def provisioning_view(request: SignedInRequest) -> HttpResponse:
    if request.method == "POST":
        task = get_or_refuse(actor_of(request), Action.STAFF_PROVISIONING_CLOSE,
                             ProvisioningTask.objects.filter(closed_at__isnull=True), pk=_int(request.POST.get("task")))
        try:
            services.close_provisioning_task(actor=actor_of(request), task=task,
                                             outcome=request.POST.get("outcome", ""), note=request.POST.get("note", ""))
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        else:
            messages.success(request, "手続を完了しました。")
        return redirect("staff:provisioning")
    tasks = ProvisioningTask.objects.select_related("user", "opened_by", "closed_by")[:500]
    return render(request, "staff/admin/provisioning.html", {"tasks": tasks})


@action_required(Action.STAFF_PASSWORD_ONLY)
def password_only_view(request: SignedInRequest) -> HttpResponse:
    exception = get_profile().authentication.password_only_exception
    form = PasswordOnlyDecisionForm(request.POST or None, initial={"start_date": timezone.localdate(),
                                                                  "instructed_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.record_password_only_decision(actor=actor_of(request),
                                                   **form.cleaned_data)
        except (Refused, ValidationError) as exc:
            form.add_error(None, str(exc) if isinstance(exc, Refused) else exc.messages[0])
        else:
            messages.success(request, "決定と指示を記録しました。")
            return redirect("staff:password_only")
    decisions = PasswordOnlyDecision.objects.select_related("user", "decided_by").order_by("-created_at")
    return render(request, "staff/admin/password_only.html", {"form": form, "decisions": decisions,
                                                              "exception": exception})

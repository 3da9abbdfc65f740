"""Vault pages: files, search, record view with reveal, intake, confirmation queue, correction, deletion.

Every page is ``@action_required`` with its vault action (tokutei.policy): a designated handler on a
registered terminal, for the task chosen for this session ("choose the purpose when viewing"); the
services decide again for the record they touch. A refusal is raised, logged once and rendered by the one
refusal page (tokutei.policy.web), which offers the purpose selector when the task was the problem.
No 個人番号 ever appears in a URL: searches and reveals are POSTs.
"""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from tokutei.auditlog.actions import Action
from tokutei.core.errors import Refused
from tokutei.core.mynumber import is_valid_my_number, normalise_my_number, strip_number_like
from tokutei.policy import Actor, designated_tasks, require, restrict
from tokutei.policy.actor import PURPOSE_SESSION_KEY
from tokutei.policy.web import action_required, actor_of
from tokutei.profiles.selectors import get_profile
from tokutei.staff.http import SignedInRequest

from . import forms, kept, services
from .codec import FieldErrors
from .models import Person, PersonCorrection, PersonDeletion, SpecificFile


def _ctx(request: SignedInRequest, **extra) -> dict:
    purpose = actor_of(request).purpose
    profile = get_profile()
    return {"purpose": purpose, "purpose_label": profile.tasks[purpose].ja if purpose in profile.tasks else "",
            "purpose_form": forms.PurposeForm(initial={"purpose": purpose},
                                              user_tasks=designated_tasks(request.user)),
            "next": strip_number_like(request.get_full_path()), **extra}


def _scoped(request: SignedInRequest, queryset, action: Action):
    """A list page's rows: ``queryset`` restricted for ``action`` and the session's task — refused (403,
    logged, with the purpose selector) when that task is not the actor's; without a task, nothing yet
    (the page asks for one)."""
    actor = actor_of(request)
    if not actor.purpose:
        return queryset.none()
    require(actor, action, details={"path": request.path[:200]})
    return restrict(queryset, actor, action)


def _field_errors(form, exc: FieldErrors) -> None:
    for key, message in exc.errors.items():
        name = f"f_{key}" if f"f_{key}" in form.fields else (key if key in form.fields else None)
        form.add_error(name, message)


def _set_purpose(request: SignedInRequest, data) -> bool:
    """利用目的（事務）の選択 from ``data``: kept for this session until changed; False when refused."""
    form = forms.PurposeForm(data, user_tasks=designated_tasks(request.user))
    if not form.is_valid():
        return False
    request.session[PURPOSE_SESSION_KEY] = form.cleaned_data["purpose"]
    request.actor = Actor.from_request(request)  # type: ignore[attr-defined]  # the rest of this request: the chosen task
    return True


PURPOSE_REFUSED = _lazy("選択した事務はあなたの指定の範囲外です。利用目的は変更していません。")


@action_required(Action.VAULT_OPEN)
@require_POST
def choose_purpose(request: SignedInRequest) -> HttpResponse:
    """利用目的（事務）の選択: kept for this session until changed."""
    if not _set_purpose(request, request.POST):
        messages.error(request, PURPOSE_REFUSED)
    target = request.POST.get("next", "")
    if not target.startswith("/vault/"):
        target = reverse("vault:files")
    return redirect(target)


@action_required(Action.VAULT_OPEN)
def files(request: SignedInRequest) -> HttpResponse:
    """特定個人情報ファイルの一覧 for the chosen purpose; without one, the page asks for it."""
    rows = list(_scoped(request, SpecificFile.objects.all(), Action.VAULT_LIST)
                .select_related("unit", "responsible")
                .annotate(n=Count("people", filter=Q(people__deleted_at__isnull=True))).order_by("pk"))
    purpose = actor_of(request).purpose
    # E-43: files of this purpose waiting for their register entry to be confirmed (named, not usable)
    pending = [f for f in SpecificFile.objects.filter(status=SpecificFile.Status.PENDING).order_by("pk")[:50]
               if purpose and purpose in (f.tasks or [])]
    return render(request, "vault/files.html", _ctx(request, files=rows, pending=pending))


@action_required(Action.VAULT_OPEN)
def file_create(request: SignedInRequest) -> HttpResponse:
    """特定個人情報ファイルの作成 (002 §18, 004 §10): decided for every task the file serves."""
    form = forms.FileForm(request.POST or None, user_tasks=designated_tasks(request.user))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            f = services.create_file(actor=actor_of(request), name=d["name"], tasks=d["tasks"], kind=d["kind"],
                                     purpose_text=d["purpose_text"], ground=d["ground"],
                                     retention_rule=d["retention_rule"], unit=request.user.unit)
        except FieldErrors as exc:
            _field_errors(form, exc)
        else:
            messages.success(request, _("特定個人情報ファイル「%(name)s」を作成しました") % {"name": f.name})
            if f.status == SpecificFile.Status.PENDING:
                messages.warning(request, _("このファイルは、ファイル管理台帳への記載を責任者が確認すると使えるようになります"))
            return redirect("vault:files")
    return render(request, "vault/file_form.html", _ctx(request, form=form))


@action_required(Action.VAULT_OPEN)
def search(request: SignedInRequest) -> HttpResponse:
    """検索 (POST only: numbers never in URLs). Exact matches through the blind indexes; the search itself
    is decided for the session's task (``search_people``), the form is shown to every handler.

    The purpose is chosen in the search form itself (issue 18 item 5): 「検索」 applies the chosen task and
    searches for it; 「利用目的を選択」 applies it only and gives the form back with the terms typed — a
    個人番号 sealed and masked (tokutei.vault.kept), never written back into the page."""
    data = _with_kept_numbers(request, ["value"]) if request.method == "POST" else None
    form = forms.SearchForm(data)
    results = None
    chosen = True
    if data is not None and "purpose" in data:
        chosen = _set_purpose(request, data)
        if not chosen:
            form.add_error(None, PURPOSE_REFUSED if data.get("purpose") else _("利用目的（事務）を選択してください"))
    if data is not None and chosen and "choose_only" not in data and form.is_valid():
        d = form.cleaned_data
        try:
            results = services.search_people(actor=actor_of(request), by=d["by"], value=d["value"], kana=d["kana"],
                                             birth_date=d["birth_date"], bulk_approval_id=d.get("bulk_approval"),
                                             identify=True)
        except FieldErrors as exc:
            for key, message in exc.errors.items():
                form.add_error(key if key in form.fields else None, message)
    kept_numbers = {}
    if data is not None and results is None and data.get("by", "my_number") == "my_number":
        kept_numbers = _kept_numbers(request, form, ["value"])
    return render(request, "vault/search.html", _ctx(request, form=form, results=results, kept_numbers=kept_numbers))


@action_required(Action.VAULT_VIEW)
def person(request: SignedInRequest, pk: int) -> HttpResponse:
    """照会: the chosen task's fields; the 個人番号 masked until revealed by a POST (logged)."""
    reveal = request.method == "POST" and request.POST.get("reveal") == "1"
    actor = actor_of(request)
    obj = services.get_person(actor=actor, pk=pk, action=Action.VAULT_REVEAL if reveal else Action.VAULT_VIEW)
    shown = services.view_person(actor=actor, person=obj, reveal=reveal)
    labels = {k: f.ja for k, f in get_profile().fields.items()}
    corrections = [(c, [labels.get(k, k) for k in c.field_keys]) for c in
                   PersonCorrection.objects.filter(person=obj).select_related("actor", "instructed_by")]
    pending = PersonDeletion.objects.filter(person=obj, status=PersonDeletion.Status.PENDING).first()
    template = "vault/_fields.html" if request.headers.get("HX-Request") else "vault/person.html"
    channel_label = get_profile().intake.channels.get(obj.channel, obj.channel)
    return render(request, template, _ctx(request, view=shown, person=obj, corrections=corrections,
                                          pending_deletion=pending, channel_label=channel_label))


@action_required(Action.VAULT_INTAKE)
def intake(request: SignedInRequest, file_pk: int) -> HttpResponse:
    """個人番号の取得・入力 with the 本人確認 checklist of the profile (004 §8, §14(3))."""
    actor = actor_of(request)
    file = services.get_file(actor=actor, pk=file_pk, action=Action.VAULT_INTAKE)
    profile = get_profile()
    task_fields = [k for k in profile.fields if k in profile.tasks[actor.purpose].fields]
    form_class = forms.intake_form_class(task_fields)
    number_fields = [f"f_{k}" for k in task_fields if profile.fields[k].kind == "my_number"]
    data = _with_kept_numbers(request, number_fields) if request.method == "POST" else None
    form = form_class(data)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        values = {k: d.get(f"f_{k}", "") for k in task_fields}
        evidence = {k: d[k] for k in ("route", "documents", "presentation", "preprinted_match", "agent_documents")
                    if k in d}
        try:
            result = services.intake_person(actor=actor, file=file, values=values, channel=d.get("channel", ""),
                                            evidence=evidence, retention_trigger_date=d.get("retention_trigger_date"))
        except Refused as exc:
            # A rule of the entry itself (check digit, identity verification, a duplicate): shown on the
            # form the clerk is filling in, already logged; the page stays so the entry can be corrected.
            form.add_error(None, exc.display())
            _all_problems(form, file, values, task_fields, d.get("channel", ""), evidence)
        except FieldErrors as exc:
            _field_errors(form, exc)
            _all_problems(form, file, values, task_fields, d.get("channel", ""), evidence)
        else:
            note = _("（確認待ち: 入力者以外の職員が確認してください）") if result.person.status == "unconfirmed" else ""
            if result.duplicate_in_files:
                note += _("（同じ個人番号が他のファイル %(n)s 件にあります）") % {"n": len(result.duplicate_in_files)}
            messages.success(request, _("本人 #%(pk)s を登録しました") % {"pk": result.person.pk} + note)
            return redirect("vault:intake", file_pk=file.pk)
    elif request.method == "POST":
        # The form's own errors (a required field left blank) and the entry's (a date that does not
        # exist, the check digit) in the same answer, each beside its field.
        raw = request.POST
        evidence = {"route": raw.get("route", ""), "documents": raw.getlist("documents"),
                    "presentation": raw.get("presentation", ""), "preprinted_match": bool(raw.get("preprinted_match")),
                    "agent_documents": raw.getlist("agent_documents")}
        _all_problems(form, file, {k: (data or raw).get(f"f_{k}", "") for k in task_fields}, task_fields,
                      raw.get("channel", ""), evidence)
    iv = profile.intake.identity_verification
    return render(request, "vault/intake.html", _ctx(request, form=form, file=file, iv=iv,
                                                      kept_numbers=_kept_numbers(request, form, number_fields),
                                                      document_sets=[[iv.documents.get(k, k) for k in s]
                                                                     for s in iv.document_sets]))


def _with_kept_numbers(request: SignedInRequest, number_fields: list[str]):
    """The POST, with a 個人番号 the clerk did not retype taken from its sealed token (tokutei.vault.kept)."""
    data = request.POST.copy()
    for name in number_fields:
        if not data.get(name, "").strip():
            number = kept.unseal(request, name, data.get(kept.PREFIX + name, ""))
            if number:
                data[name] = number
        data.pop(kept.PREFIX + name, None)
    return data


def _kept_numbers(request: SignedInRequest, form, number_fields: list[str]) -> dict[str, dict[str, str]]:
    """After a refusal: each valid 個人番号 without a problem of its own, sealed for the resubmission and
    shown masked — never written back into the page."""
    if not form.is_bound:
        return {}
    out = {}
    for name in number_fields:
        number = normalise_my_number(str(form.data.get(name, "")))
        if name not in form.errors and is_valid_my_number(number):
            out[name] = {"token": kept.seal(request, name, number), "masked": kept.masked(number)}
            form.fields[name].widget.kept = True
    return out


def _all_problems(form, file, values, task_fields, channel, evidence) -> None:
    """After the first refusal, every other problem of the entry beside its field (all at once)."""
    for key, message in services.intake_problems(file=file, values=values, fields=set(task_fields),
                                                 channel=channel, evidence=evidence).items():
        name = None if key == "__all__" else (f"f_{key}" if f"f_{key}" in form.fields else
                                              (key if key in form.fields else None))
        already = form.errors.get(name or "__all__", [])
        if message not in already and (name is None or not already):
            form.add_error(name, message)


@action_required(Action.VAULT_OPEN)
def queue(request: SignedInRequest) -> HttpResponse:
    """確認待ち: records a second person must check (004 §14(3)②), of the session's task."""
    people = (_scoped(request, Person.objects.all(), Action.VAULT_CONFIRM)
              .filter(status=Person.Status.UNCONFIRMED).select_related("file", "entered_by").order_by("entered_at"))
    return render(request, "vault/queue.html", _ctx(request, people=people[:200]))


@action_required(Action.VAULT_CONFIRM)
def confirm(request: SignedInRequest, pk: int) -> HttpResponse:
    """入力者と別の者による確認: re-entry (must match) or 目視・読合せ (attested)."""
    actor = actor_of(request)
    obj = services.get_person(actor=actor, pk=pk, action=Action.VAULT_CONFIRM)
    form = forms.ConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.confirm_person(actor=actor, person=obj, checks=d["checks"], my_number=d["my_number"],
                                    matched=d["matched"])
        except Refused as exc:
            # The bound form keeps the chosen method; the number field (PasswordInput) never echoes its value.
            form.add_error(None, exc.display())
        except FieldErrors as exc:
            _field_errors(form, exc)
        else:
            messages.success(request, _("本人 #%(pk)s を確認済みにしました") % {"pk": obj.pk})
            return redirect("vault:queue")
    shown = None
    if request.method == "GET" or not form.is_valid() or form.errors:
        shown = services.view_person(actor=actor, person=obj, reveal=False)
    return render(request, "vault/confirm.html", _ctx(request, form=form, person=obj, view=shown,
                                                       own_entry=obj.entered_by_id == request.user.pk))


@action_required(Action.VAULT_CORRECT)
def correct(request: SignedInRequest, pk: int) -> HttpResponse:
    """訂正 on a named instruction (002 §12)."""
    from tokutei.staff.models import User

    actor = actor_of(request)
    obj = services.get_person(actor=actor, pk=pk, action=Action.VAULT_CORRECT)
    profile = get_profile()
    task_fields = [k for k in profile.fields if k in profile.tasks[actor.purpose].fields]
    from .services.correction import instructors as allowed_instructors

    roles = "・".join(profile.roles[r].ja for r in profile.correction_instructor_roles() if r in profile.roles)
    instructors = [(u.pk, f"{u.display_name}（{u.username}）") for u in allowed_instructors(exclude=request.user)]
    form_class = forms.correction_form_class(task_fields, instructors)
    form = form_class(request.POST or None)
    if "instructed_by" in form.fields:
        form.fields["instructed_by"].help_text = _("指示できるのは %(roles)s の職にある者です") % {"roles": roles}
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        changes = {k: d[f"f_{k}"] for k in task_fields if d.get(f"f_{k}")}
        try:
            instructor = User.objects.get(pk=d["instructed_by"]) if d.get("instructed_by") else None
            services.correct_person(actor=actor, person=obj, changes=changes, instructed_by=instructor,
                                    approval_id=d.get("approval_id"), reason=d["reason"])
        except Refused as exc:
            form.add_error(None, exc.display())  # a rule of the correction itself, logged; the form stays
        except FieldErrors as exc:
            _field_errors(form, exc)
        else:
            messages.success(request, _("本人 #%(pk)s を訂正しました（訂正履歴に記録）") % {"pk": obj.pk})
            return redirect("vault:person", pk=obj.pk)
    # The current values beside each field (a logged view, the number masked), so that only what changes
    # is typed.
    try:
        current = services.view_person(actor=actor, person=obj, reveal=False).fields
    except Refused:
        current = []  # may correct but not view (logged): the form without the current values
    for shown in current:
        if f"f_{shown.key}" in form.fields:
            form.fields[f"f_{shown.key}"].help_text = _("現在: %(v)s") % {"v": shown.display or "—"}
    return render(request, "vault/correct.html", _ctx(request, form=form, person=obj))


@action_required(Action.VAULT_DELETE)
@require_POST
def delete(request: SignedInRequest, pk: int) -> HttpResponse:
    """削除の申出: final after a second person's visual check where the profile says so (E-25)."""
    actor = actor_of(request)
    obj = services.get_person(actor=actor, pk=pk, action=Action.VAULT_DELETE)
    deletion = services.request_deletion(actor=actor, person=obj, reason=request.POST.get("reason", ""))
    if deletion.status == PersonDeletion.Status.DONE:
        messages.success(request, _("本人 #%(pk)s を削除しました") % {"pk": obj.pk})
        return redirect("vault:files")
    messages.success(request, _("本人 #%(pk)s の削除を申し出ました。別の職員の目視チェックで確定します") % {"pk": obj.pk})
    return redirect("vault:deletions")


@action_required(Action.VAULT_OPEN)
def deletions(request: SignedInRequest) -> HttpResponse:
    """削除の確認待ち (004 §14(6)①), of the session's task."""
    actor = actor_of(request)
    people = _scoped(request, Person.objects.all(), Action.VAULT_DELETE)
    pending = (PersonDeletion.objects.filter(status=PersonDeletion.Status.PENDING, person__in=people)
               .select_related("person", "requested_by").order_by("requested_at"))
    if request.method == "POST":
        deletion = pending.filter(pk=request.POST.get("deletion", "0") or 0).first()
        if deletion is None:
            messages.error(request, _("該当する削除申出がありません"))
            return redirect("vault:deletions")
        try:
            services.confirm_deletion(actor=actor, deletion=deletion)
        except Refused as exc:
            messages.error(request, exc.display())  # e.g. the requester checking their own deletion; logged
        else:
            messages.success(request, _("本人 #%(pk)s の削除を確定しました（アクセス履歴を保存）") % {"pk": deletion.person_id})
        return redirect("vault:deletions")
    return render(request, "vault/deletions.html", _ctx(request, pending=pending[:200]))

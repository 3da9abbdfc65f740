"""Vault pages: files, search, record view with reveal, intake, confirmation queue, correction, deletion.

Every page runs behind the staff guard (registered terminal, designated handler), then asks the vault's
policy through the services, for the purpose chosen for this session ("choose the purpose when viewing").
No 個人番号 ever appears in a URL: searches and reveals are POSTs.
"""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from tokutei.core.errors import Refused
from tokutei.profiles.selectors import get_profile
from tokutei.staff.access import personal_data_view
from tokutei.staff.http import SignedInRequest
from tokutei.staff.selectors import assignments_in_force

from . import forms, services
from .codec import FieldErrors
from .models import Person, PersonCorrection, PersonDeletion
from .policy import decide, files_for, visible_people

SESSION_KEY = "vault_purpose"


def _user_tasks(request: SignedInRequest) -> list[str]:
    profile = get_profile()
    tasks: list[str] = []
    for a in assignments_in_force(request.user):
        if a.role_key in profile.roles and profile.roles[a.role_key].handles_data:
            tasks += [t for t in a.tasks or [] if t not in tasks]
    return tasks


def _purpose(request: SignedInRequest) -> str:
    chosen = request.GET.get("purpose")
    if chosen is not None and chosen in get_profile().selectable_tasks():
        if chosen not in _user_tasks(request):
            return chosen  # used for this request only, so the policy refuses and logs it; never kept
        request.session[SESSION_KEY] = chosen
    return request.session.get(SESSION_KEY, "")


def _ctx(request: SignedInRequest, **extra) -> dict:
    purpose = _purpose(request)
    profile = get_profile()
    return {"purpose": purpose, "purpose_label": profile.tasks[purpose].ja if purpose in profile.tasks else "",
            "purpose_form": forms.PurposeForm(initial={"purpose": purpose}, user_tasks=_user_tasks(request)),
            "next": request.get_full_path(), **extra}


def _common(request: SignedInRequest) -> dict:
    return {"actor": request.user, "terminal": getattr(request, "terminal", None), "purpose": _purpose(request)}


def render_refused(request: SignedInRequest, exc: Refused) -> HttpResponse:
    """The refusal with its article; where the purpose was the problem, the purpose selector too."""
    return render(request, "vault/refused.html", _ctx(request, refusal=exc), status=403)


def _field_errors(form, exc: FieldErrors) -> None:
    for key, message in exc.errors.items():
        name = f"f_{key}" if f"f_{key}" in form.fields else (key if key in form.fields else None)
        form.add_error(name, message)


@personal_data_view
@require_POST
def choose_purpose(request: SignedInRequest) -> HttpResponse:
    """利用目的（事務）の選択: kept for this session until changed."""
    form = forms.PurposeForm(request.POST, user_tasks=_user_tasks(request))
    if form.is_valid():
        request.session[SESSION_KEY] = form.cleaned_data["purpose"]
    else:
        messages.error(request, "選択した事務はあなたの指定の範囲外です。利用目的は変更していません。")
    target = request.POST.get("next", "")
    if not target.startswith("/vault/"):
        target = reverse("vault:files")
    return redirect(target)


@personal_data_view
def files(request: SignedInRequest) -> HttpResponse:
    """特定個人情報ファイルの一覧 for the chosen purpose."""
    c = _common(request)
    decision = decide(action="list", **c)
    rows = list(files_for(decision, c["purpose"]).select_related("unit", "responsible").annotate(
        n=Count("people", filter=Q(people__deleted_at__isnull=True)))) if decision else []
    return render(request, "vault/files.html", _ctx(request, files=rows, decision=decision))


@personal_data_view
def file_create(request: SignedInRequest) -> HttpResponse:
    """特定個人情報ファイルの作成 (002 §18, 004 §10)."""
    form = forms.FileForm(request.POST or None, user_tasks=_user_tasks(request))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            f = services.create_file(actor=request.user, terminal=getattr(request, "terminal", None), name=d["name"],
                                     tasks=d["tasks"], kind=d["kind"], purpose_text=d["purpose_text"],
                                     ground=d["ground"], retention_rule=d["retention_rule"],
                                     unit=request.user.unit)
        except Refused as exc:
            return render_refused(request, exc)
        except FieldErrors as exc:
            _field_errors(form, exc)
        else:
            messages.success(request, f"特定個人情報ファイル「{f.name}」を作成しました")
            return redirect("vault:files")
    return render(request, "vault/file_form.html", _ctx(request, form=form))


@personal_data_view
def search(request: SignedInRequest) -> HttpResponse:
    """検索 (POST only: numbers never in URLs). Exact matches through the blind indexes."""
    form = forms.SearchForm(request.POST or None)
    results = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            results = services.search_people(by=d["by"], value=d["value"], kana=d["kana"],
                                             birth_date=d["birth_date"], bulk_approval_id=d.get("bulk_approval"),
                                             **_common(request))
        except Refused as exc:
            return render_refused(request, exc)
        except FieldErrors as exc:
            for key, message in exc.errors.items():
                form.add_error(key if key in form.fields else None, message)
    return render(request, "vault/search.html", _ctx(request, form=form, results=results))


@personal_data_view
def person(request: SignedInRequest, pk: int) -> HttpResponse:
    """照会: the chosen task's fields; the 個人番号 masked until revealed by a POST (logged)."""
    reveal = request.method == "POST" and request.POST.get("reveal") == "1"
    c = _common(request)
    try:
        obj = services.get_person(pk=pk, action="reveal" if reveal else "view", **c)
        shown = services.view_person(person=obj, reveal=reveal, **c)
    except Refused as exc:
        return render_refused(request, exc)
    corrections = PersonCorrection.objects.filter(person=obj).select_related("actor", "instructed_by")
    pending = PersonDeletion.objects.filter(person=obj, status=PersonDeletion.Status.PENDING).first()
    template = "vault/_fields.html" if request.headers.get("HX-Request") else "vault/person.html"
    channel_label = get_profile().intake.channels.get(obj.channel, obj.channel)
    return render(request, template, _ctx(request, view=shown, person=obj, corrections=corrections,
                                          pending_deletion=pending, channel_label=channel_label))


@personal_data_view
def intake(request: SignedInRequest, file_pk: int) -> HttpResponse:
    """個人番号の取得・入力 with the 本人確認 checklist of the profile (004 §8, §14(3))."""
    c = _common(request)
    try:
        file = services.get_file(pk=file_pk, action="intake", **c)
    except Refused as exc:
        return render_refused(request, exc)
    profile = get_profile()
    task_fields = [k for k in profile.fields if k in profile.tasks[c["purpose"]].fields]
    form_class = forms.intake_form_class(task_fields)
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        values = {k: d.get(f"f_{k}", "") for k in task_fields}
        evidence = {k: d[k] for k in ("route", "documents", "presentation", "preprinted_match", "agent_documents")
                    if k in d}
        try:
            result = services.intake_person(file=file, values=values, channel=d.get("channel", ""),
                                            evidence=evidence, retention_trigger_date=d.get("retention_trigger_date"),
                                            **c)
        except Refused as exc:
            form.add_error(None, exc.display())
        except FieldErrors as exc:
            _field_errors(form, exc)
        else:
            note = "（確認待ち: 入力者以外の職員が確認してください）" if result.person.status == "unconfirmed" else ""
            if result.duplicate_in_files:
                note += f"（同じ個人番号が他のファイル {len(result.duplicate_in_files)} 件にあります）"
            messages.success(request, f"本人 #{result.person.pk} を登録しました{note}")
            return redirect("vault:intake", file_pk=file.pk)
    iv = profile.intake.identity_verification
    return render(request, "vault/intake.html", _ctx(request, form=form, file=file, iv=iv,
                                                      document_sets=[[iv.documents.get(k, k) for k in s]
                                                                     for s in iv.document_sets]))


@personal_data_view
def queue(request: SignedInRequest) -> HttpResponse:
    """確認待ち: records a second person must check (004 §14(3)②)."""
    c = _common(request)
    people = (visible_people(request.user, c["purpose"], terminal=c["terminal"])
              .filter(status=Person.Status.UNCONFIRMED).select_related("file", "entered_by").order_by("entered_at"))
    return render(request, "vault/queue.html", _ctx(request, people=people[:200]))


@personal_data_view
def confirm(request: SignedInRequest, pk: int) -> HttpResponse:
    """入力者と別の者による確認: re-entry (must match) or 目視・読合せ (attested)."""
    c = _common(request)
    try:
        obj = services.get_person(pk=pk, action="confirm", **c)
    except Refused as exc:
        return render_refused(request, exc)
    form = forms.ConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.confirm_person(person=obj, method=d["method"], my_number=d["my_number"], matched=d["matched"],
                                    **c)
        except Refused as exc:
            # The bound form keeps the chosen method; the number field (PasswordInput) never echoes its value.
            form.add_error(None, exc.display())
        except FieldErrors as exc:
            _field_errors(form, exc)
        else:
            messages.success(request, f"本人 #{obj.pk} を確認済みにしました")
            return redirect("vault:queue")
    shown = None
    if request.method == "GET" or not form.is_valid() or form.errors:
        try:
            shown = services.view_person(person=obj, reveal=False, **c)
        except Refused as exc:
            return render_refused(request, exc)
    return render(request, "vault/confirm.html", _ctx(request, form=form, person=obj, view=shown,
                                                       own_entry=obj.entered_by_id == request.user.pk))


@personal_data_view
def correct(request: SignedInRequest, pk: int) -> HttpResponse:
    """訂正 on a named instruction (002 §12)."""
    from tokutei.staff.models import User

    c = _common(request)
    try:
        obj = services.get_person(pk=pk, action="correct", **c)
    except Refused as exc:
        return render_refused(request, exc)
    profile = get_profile()
    task_fields = [k for k in profile.fields if k in profile.tasks[c["purpose"]].fields]
    instructors = [(u.pk, f"{u.display_name}（{u.username}）") for u in
                   User.objects.filter(is_active=True).order_by("username")[:300]]
    form_class = forms.correction_form_class(task_fields, instructors)
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        changes = {k: d[f"f_{k}"] for k in task_fields if d.get(f"f_{k}")}
        try:
            services.correct_person(person=obj, changes=changes, instructed_by=User.objects.get(pk=d["instructed_by"]),
                                    reason=d["reason"], **c)
        except Refused as exc:
            form.add_error(None, exc.display())
        except FieldErrors as exc:
            _field_errors(form, exc)
        else:
            messages.success(request, f"本人 #{obj.pk} を訂正しました（訂正履歴に記録）")
            return redirect("vault:person", pk=obj.pk)
    return render(request, "vault/correct.html", _ctx(request, form=form, person=obj))


@personal_data_view
@require_POST
def delete(request: SignedInRequest, pk: int) -> HttpResponse:
    """削除の申出: final after a second person's visual check where the profile says so (E-25)."""
    c = _common(request)
    try:
        obj = services.get_person(pk=pk, action="delete", **c)
        deletion = services.request_deletion(person=obj, reason=request.POST.get("reason", ""), **c)
    except Refused as exc:
        return render_refused(request, exc)
    if deletion.status == PersonDeletion.Status.DONE:
        messages.success(request, f"本人 #{obj.pk} を削除しました")
        return redirect("vault:files")
    messages.success(request, f"本人 #{obj.pk} の削除を申し出ました。別の職員の目視チェックで確定します")
    return redirect("vault:deletions")


@personal_data_view
def deletions(request: SignedInRequest) -> HttpResponse:
    """削除の確認待ち (004 §14(6)①)."""
    c = _common(request)
    people = visible_people(request.user, c["purpose"], terminal=c["terminal"])
    pending = (PersonDeletion.objects.filter(status=PersonDeletion.Status.PENDING, person__in=people)
               .select_related("person", "requested_by").order_by("requested_at"))
    if request.method == "POST":
        deletion = pending.filter(pk=request.POST.get("deletion", "0") or 0).first()
        if deletion is None:
            messages.error(request, "該当する削除申出がありません")
            return redirect("vault:deletions")
        try:
            services.confirm_deletion(deletion=deletion, **c)
        except Refused as exc:
            messages.error(request, exc.display())
        else:
            messages.success(request, f"本人 #{deletion.person_id} の削除を確定しました（アクセス履歴を保存）")
        return redirect("vault:deletions")
    return render(request, "vault/deletions.html", _ctx(request, pending=pending[:200]))

"""Demo staff for the active profile: people for every role, designated by the right designator.

Generic over profiles: posts are filled first (their roles follow ex officio), then every role is
designated by a holder of one of its ``designated_by`` roles (the administrator for roles nobody
designates), honouring eligible units and roles and holder limits. All demo users share one password
and enrol their second factor at first sign-in (the sign-in pages lead them there).
"""

from __future__ import annotations

from django.utils import timezone

from tokutei.core.errors import Refused
from tokutei.core.inforce import in_force_q
from tokutei.core.synthetic import staff_names
from tokutei.policy import Actor
from tokutei.profiles.selectors import get_profile

from . import services
from .models import Post, RoleAssignment, Unit, User
from .selectors import allowed_factor_kinds, designatable_roles, role_keys

DEMO_PASSWORD = "demo-pass-2026"  # printed for the demo on purpose
NAMES = staff_names(24)  # the one synthetic-people generator (tokutei.core.synthetic)
MAX_POST_HOLDERS_PER_ROLE = 2


class _Demo:
    def __init__(self) -> None:
        self.profile = get_profile()
        self.admin = self._admin()
        self.start = timezone.localdate().replace(month=4, day=1)
        if self.start > timezone.localdate():
            self.start = self.start.replace(year=self.start.year - 1)
        self.people: list[tuple[User, str]] = []
        self.name_index = 0

    def _admin(self) -> User:
        admin_roles = self.profile.admin_roles()
        assignment = (RoleAssignment.objects.filter(in_force_q(), role_key__in=admin_roles)
                      .select_related("user").order_by("id").first())
        if assignment is None:
            raise RuntimeError("tokutei init の管理者が見つかりません")
        return assignment.user

    def person(self, username: str, unit: Unit | None, label: str) -> User:
        family, given, kana = NAMES[self.name_index % len(NAMES)]
        self.name_index += 1
        user, _password = services.create_user(
            actor=Actor.console(self.admin), username=username, full_name=f"{family} {given}", full_name_kana=kana,
            employee_no=f"{1000 + self.name_index}", unit=unit, password=DEMO_PASSWORD,
            must_change_password=False,
        )
        self.people.append((user, label))
        return user

    def fill_posts(self) -> None:
        holders: dict[str, int] = {}
        for key, post in self.profile.posts.items():
            roles = [k for k, r in self.profile.roles.items() if key in r.posts]
            if roles and all(holders.get(r, 0) >= MAX_POST_HOLDERS_PER_ROLE for r in roles):
                continue
            row = Post.objects.get(key=key)
            user = self.person(key, row.unit, post.ja)
            services.assign_post(actor=Actor.console(self.admin), user=user, post=row, start_date=self.start)
            for r in roles:
                holders[r] = holders.get(r, 0) + 1

    def _designator(self, role_key: str) -> User | None:
        for user in [self.admin, *[u for u, _ in self.people]]:
            if role_key in designatable_roles(user):
                return user
        return None

    def _wanted(self, role_key: str) -> int:
        role = self.profile.roles[role_key]
        if role.exact_holders is not None:
            return role.exact_holders
        want = 3 if role.handles_data and not role.eligible_roles else 1
        return min(want, role.max_holders) if role.max_holders is not None else want

    def designate_roles(self) -> None:
        tasks = list(self.profile.selectable_tasks())
        pending = [k for k, r in self.profile.roles.items() if not r.posts]
        for _round in range(len(pending) + 1):
            progressed = False
            for role_key in list(pending):
                role = self.profile.roles[role_key]
                designator = self._designator(role_key)
                if designator is None:
                    continue
                candidates: list[User] = []
                if role.eligible_roles:
                    candidates = [u for u, _ in self.people
                                  if role_keys(u) & set(role.eligible_roles) and role_key not in role_keys(u)]
                    if not candidates:
                        continue
                for i in range(self._wanted(role_key)):
                    if candidates:
                        if i >= len(candidates):
                            break
                        user = candidates[i]
                    else:
                        user = self.person(f"{role_key}{i + 1}", self._unit_for(role, designator), role.ja)
                    scope = [tasks[(i + j) % len(tasks)] for j in range(min(2, len(tasks)))] if role.handles_data else []
                    try:
                        services.designate(actor=Actor.console(designator), user=user, role_key=role_key, tasks=scope,
                                           start_date=self.start)
                    except Refused:
                        continue
                pending.remove(role_key)
                progressed = True
            if not pending or not progressed:
                break

    def _unit_for(self, role, designator: User) -> Unit | None:
        if role.eligible_units:
            return Unit.objects.get(key=role.eligible_units[0])
        if designator.unit is not None:
            return designator.unit
        return Unit.objects.order_by("id").first()

    def terminal(self) -> str:
        handler_units = [u for k in sorted(self.profile.handler_roles())
                         for u in self.profile.roles[k].eligible_units]
        unit = Unit.objects.filter(key__in=handler_units[:1]).first() or Unit.objects.order_by("id").first()
        name = f"{unit.name_ja if unit else '事務室'} 端末1"
        _terminal, code = services.register_terminal(actor=Actor.console(self.admin), name=name, location="デモ用",
                                                     asset_tag="DEMO-0001")
        return code


def load() -> list[str]:
    services.ensure_org_structure()  # already done by `tokutei init`; kept for a database made before it
    demo = _Demo()
    demo.fill_posts()
    demo.designate_roles()
    code = demo.terminal()
    kinds = allowed_factor_kinds()
    host = "localhost"  # the one address of the demo (WebAuthn needs a name, not an IP; 127.0.0.1 redirects)
    lines = ["", "デモ職員 (demo staff) — パスワードはすべて " + DEMO_PASSWORD + ":"]
    profile = demo.profile
    for user, label in demo.people:
        roles = "・".join(profile.roles[k].ja for k in sorted(role_keys(user)) if k in profile.roles)
        lines.append(f"  {user.username:<24} {user.full_name}（{roles or label}）")
    if "webauthn" in kinds and profile.authentication.biometric_required:
        lines += [
            "初回サインイン時に生体認証 (WebAuthn) を登録します。",
            "  指紋・顔認証のない PC では Chrome の DevTools →",
            "  「その他のツール」→「WebAuthn」で仮想認証器 (ユーザー確認あり) を有効にすると試せます。",
        ]
    elif "totp" in kinds:
        lines.append("初回サインイン時に認証アプリ (TOTP) を登録します（QR コードと手入力用キーを表示）。")
    lines += [
        "登録端末: 次の URL をこのブラウザで開くと、この PC が登録端末になります（24 時間有効・1 回限り）:",
        f"  http://{host}:8000/terminal/enrol/?code={code}",
    ]
    return lines

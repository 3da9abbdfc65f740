from django.apps import AppConfig


class RegistersConfig(AppConfig):
    name = "tokutei.registers"
    verbose_name = "記録簿（記録媒体・持出し・ドキュメント・出力・室・情報資産・ID）"
    hook_order = 50  # tokutei.core.hooks
    api_router = "tokutei.registers.api.router"
    demo_loader = "tokutei.registers.demo.load"

    def ready(self) -> None:
        from tokutei.staff import factors

        from . import rules  # noqa: F401 - registers the registers' actions with tokutei.policy
        from .services.ids import ENROLMENT_GUARD, RESET_GUARD, deletion_needs_application

        # 照合情報の登録には拠点管理者の申請とシステム管理者の承認 (000 §7.3, E-10), where the profile says so.
        if ENROLMENT_GUARD not in factors.ENROLMENT_GUARDS:
            factors.ENROLMENT_GUARDS.append(ENROLMENT_GUARD)
        # … and deleting it, by an administrator's credential reset too.
        if RESET_GUARD not in factors.DELETION_GUARDS:
            factors.DELETION_GUARDS.append(RESET_GUARD)
        if deletion_needs_application not in factors.DELETION_NEEDS_APPLICATION:
            factors.DELETION_NEEDS_APPLICATION.append(deletion_needs_application)
        # (端末の持出し・持込みの申請, 002 §32.2, E-18: the approvals' own terminal picker lists the
        # 情報資産管理簿's terminals — tokutei.approvals.forms.)

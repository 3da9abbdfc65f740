from django.urls import path

from . import admin_views, scope_views, views

app_name = "staff"
urlpatterns = [
    # Sign-in (password, then the second factor), sign-out, password change.
    path("login/", views.login_view, name="login"),
    path("login/verify/", views.verify_view, name="verify"),
    path("login/enrol/", views.enrol_view, name="enrol"),
    path("login/password-only/", views.password_only_view, name="password_only_sign_in"),
    path("login/webauthn/options/", views.webauthn_auth_options, name="webauthn_auth_options"),
    path("login/webauthn/verify/", views.webauthn_auth_verify, name="webauthn_auth_verify"),
    path("webauthn/register/options/", views.webauthn_register_options, name="webauthn_register_options"),
    path("webauthn/register/verify/", views.webauthn_register_verify, name="webauthn_register_verify"),
    path("logout/", views.logout_view, name="logout"),
    path("session/keep-alive/", views.keep_alive_view, name="keep_alive"),
    path("account/password/", views.password_change_view, name="password_change"),
    path("account/security/", views.security_view, name="security"),
    path("account/security/enrol/", views.enrol_view, name="security_enrol"),
    path("terminal/enrol/", views.terminal_enrol_view, name="terminal_enrol"),
    path("staff/my-scope/", views.my_scope_view, name="my_scope"),
    # Administration.
    path("staff/", admin_views.staff_list, name="staff_list"),
    path("staff/new/", admin_views.staff_create, name="staff_create"),
    path("staff/<id:pk>/", admin_views.staff_detail, name="staff_detail"),
    path("staff/<id:pk>/transfer/", admin_views.staff_transfer, name="staff_transfer"),
    path("staff/<id:pk>/reset/", admin_views.staff_reset, name="staff_reset"),
    path("staff/<id:pk>/deactivate/", admin_views.staff_deactivate, name="staff_deactivate"),
    path("staff/designations/new/", admin_views.designation_create, name="designation_create"),
    path("staff/designations/<id:pk>/end/", admin_views.designation_end, name="designation_end"),
    path("staff/designations/<id:pk>/", scope_views.designation_scope, name="designation_scope"),
    path("staff/register/", admin_views.register_view, name="register"),
    path("staff/posts/", admin_views.posts_view, name="posts"),
    path("staff/posts/holdings/<id:pk>/end/", admin_views.post_end, name="post_end"),
    path("staff/terminals/", admin_views.terminals_view, name="terminals"),
    path("staff/terminals/<id:pk>/revoke/", admin_views.terminal_revoke, name="terminal_revoke"),
    path("staff/terminals/<id:pk>/reissue/", admin_views.terminal_reissue, name="terminal_reissue"),
    path("staff/provisioning/", admin_views.provisioning_view, name="provisioning"),
    path("staff/password-only/", admin_views.password_only_view, name="password_only"),
]

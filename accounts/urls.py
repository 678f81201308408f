"""Staff sign-in pages beside the admin: the second step, factors, the password reset."""

from django.contrib.auth import views as auth_views
from django.urls import include, path, reverse_lazy
from django_otp_webauthn import urls as otp_webauthn_urls

from accounts import views
from accounts.signin import StaffPasswordResetForm

app_name = "accounts"

urlpatterns = [
    path("2fa/", views.two_factor, name="two_factor"),
    path("2fa/verify/", views.verify, name="verify"),
    path("2fa/authenticator/", views.authenticator, name="authenticator"),
    path("2fa/recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("2fa/<str:kind>/<int:pk>/remove/", views.remove_factor, name="remove_factor"),
]

# Django's own reset views and the admin's templates for them; the admin login page links to
# "admin_password_reset" when it exists. Under /admin/ so the edge never caches them.
password_reset_urls = [
    path(
        "password_reset/",
        auth_views.PasswordResetView.as_view(
            form_class=StaffPasswordResetForm,
            success_url=reverse_lazy("password_reset_done"),
        ),
        name="admin_password_reset",
    ),
    path(
        "password_reset/done/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password_reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password_reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]

# django-otp-webauthn's API (the page scripts call it), with its two completing views
# replaced by ones that renew the session key when the second step is done.
_renewing = {
    "credential-authentication-complete": views.PasskeyVerifyView,
    "credential-registration-complete": views.PasskeyRegisterView,
}
webauthn_patterns = [
    path(str(p.pattern), _renewing[p.name].as_view(), name=p.name) if p.name in _renewing else p
    for p in otp_webauthn_urls.urlpatterns
]
webauthn_urls = [path("2fa/webauthn/", include((webauthn_patterns, otp_webauthn_urls.app_name)))]

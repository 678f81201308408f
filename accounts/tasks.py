"""Jobs for the queue (django-tasks; see articles/tasks.py): mail that no sign-in page waits on."""

from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_tasks import task


@task()
def email_password_reset(
    user_id: int, site: dict, subject_template: str, body_template: str, html_template: str | None
) -> None:
    """Mail a staff member the link that sets a new password. The token is made here, when
    the mail goes, so no reset link is ever stored in the queue."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True, is_staff=True).first()
    if user is None or not user.has_usable_password() or not user.email:
        return
    context = {
        **site,  # domain, site_name, protocol
        "email": user.email,
        "user": user,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
    }
    PasswordResetForm().send_mail(
        subject_template, body_template, context, None, user.email, html_template
    )

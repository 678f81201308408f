"""The admin's "View on site" shortcut, asked of each model's admin before it redirects.

Django's own shortcut (/admin/r/<content type>/<id>/) sends any staff login to
get_absolute_url() of any object of any model, whoever may see it: counting ids then yields
other people's drafts' addresses. This one answers only for an object the user may view in
the admin, and only with the address that object's ModelAdmin.view_on_site gives (a story's
public page only while it is live); anything else is a 404, which reveals nothing.
"""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpRequest, HttpResponseRedirect


def public_address(model_admin: admin.ModelAdmin, obj) -> str | None:
    """The public address the admin's "View on site" button would show for obj, if any."""
    if callable(model_admin.view_on_site):
        return model_admin.view_on_site(obj)
    if model_admin.view_on_site and hasattr(obj, "get_absolute_url"):
        return obj.get_absolute_url()
    return None


def view_on_site(request: HttpRequest, content_type_id: int, object_id: str):
    try:
        model = ContentType.objects.get_for_id(content_type_id).model_class()
    except ObjectDoesNotExist:
        raise Http404 from None
    if model is None or not admin.site.is_registered(model):
        raise Http404
    model_admin = admin.site.get_model_admin(model)
    # get_object() goes through the admin's get_queryset(request): a journalist's own stories.
    obj = model_admin.get_object(request, unquote(object_id))
    if obj is None or not model_admin.has_view_or_change_permission(request, obj):
        raise Http404
    address = public_address(model_admin, obj)
    if not address:
        raise Http404
    return HttpResponseRedirect(address)

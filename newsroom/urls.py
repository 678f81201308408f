from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from accounts.urls import password_reset_urls, webauthn_urls
from articles.photo_access import serve_public_media
from newsroom.view_on_site import view_on_site
from newsroom.views import healthz, security_txt

admin.site.site_header = f"{settings.SITE_NAME} newsroom"
admin.site.site_title = "Newsroom"
admin.site.index_title = "Editorial desk"

# A database outage raised outside a view (in the session or auth middleware) gets the 503.
handler500 = "newsroom.views.server_error"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path(".well-known/security.txt", security_txt, name="security-txt"),
    # Ahead of the admin's own shortcut, which it replaces with a permission-checked one.
    path(
        "admin/r/<int:content_type_id>/<path:object_id>/",
        admin.site.admin_view(view_on_site),
        name="view-on-site",
    ),
    # Staff sign-in (accounts.urls): ahead of the admin, whose catch-all would answer 404.
    path("admin/", include("accounts.urls")),
    path("admin/", include(password_reset_urls)),
    path("admin/", include(webauthn_urls)),
    path("admin/", admin.site.urls),
]
if settings.SERVE_MEDIA:
    # Local disk media for one-machine setups; production puts a proxy or object storage here.
    urlpatterns.append(
        path(
            f"{settings.MEDIA_URL.strip('/')}/<path:path>",
            serve_public_media,
        )
    )
urlpatterns += [
    path("api/v1/", include("api.urls")),
    path("", include("articles.distribution_urls")),
    # Ahead of the articles' "<section>/" pattern, which would take /newsletter/ for a section.
    path("", include("newsletter.urls")),
    path("", include("articles.urls")),
]

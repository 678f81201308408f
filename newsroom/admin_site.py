"""The admin site: Django's, with the desk home (articles.desk) as its index page.

Installed as the default site (newsroom.apps.NewsroomAdminConfig), so `admin.site` and every
`@admin.register` stay as Django documents them.
"""

from django.contrib import admin
from django.urls import path


class NewsroomAdminSite(admin.AdminSite):
    def get_urls(self):
        from articles.desk import mark_notifications_read

        return [
            path(
                "desk/notifications/read/",
                self.admin_view(mark_notifications_read),
                name="desk-notifications-read",
            ),
            *super().get_urls(),
        ]

    def index(self, request, extra_context=None):
        """The day's queues and the user's notifications above the list of models."""
        from articles.desk import desk_home

        return super().index(request, {**desk_home(request.user), **(extra_context or {})})

from django.contrib.admin.apps import AdminConfig


class NewsroomAdminConfig(AdminConfig):
    """Django's admin, its default site being the newsroom's (the desk home as its index)."""

    default_site = "newsroom.admin_site.NewsroomAdminSite"

from django.urls import path, register_converter

from articles import live, photo_access, previews, views

app_name = "articles"


class TwoDigits:
    regex = "[0-9]{2}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value) -> str:
        return f"{int(value):02d}"


register_converter(TwoDigits, "dd")

STORY = "<slug:section>/<int:year>/<dd:month>/<dd:day>/<slug:slug>/"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("tags/<slug:slug>/", views.tag, name="tag"),
    path("authors/<slug:slug>/", views.author, name="author"),
    path("corrections/", views.corrections, name="corrections"),
    path("archive/<int:year>/<dd:month>/<dd:day>/", views.archive_day, name="archive-day"),
    path("preview/<int:pk>/", previews.preview, name="preview"),
    path("share/<str:token>/", previews.share, name="share"),
    path("preview/photo/<str:signed>", photo_access.photo, name="photo"),
    path("pages/<path:url>", views.flatpage, name="flatpage"),
    path("<slug:section>/", views.section, name="section"),
    path(
        "<slug:section>/<int:year>/<dd:month>/<dd:day>/",
        views.archive_day,
        name="section-archive-day",
    ),
    path(
        "<slug:section>/<int:year>/<dd:month>/<dd:day>/<slug:slug>/",
        views.article_detail,
        name="detail",
    ),
    # A live blog's entries fragment (polled), an entry's own address, its feed.
    path(f"{STORY}live/", live.entries_fragment, name="live-entries"),
    path(f"{STORY}entries/<int:pk>/", live.entry_permalink, name="live-entry"),
    path(f"{STORY}feed/", live.live_feed, name="live-feed"),
]

"""/api/v1/: each view is wrapped by cached() for the site's edge caching (api.caching)."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularJSONAPIView

from api import views
from api.caching import cached

app_name = "api"

urlpatterns = [
    path("stories/", cached(views.StoryList.as_view()), name="stories"),
    # Any segment, so that /stories/x/ is the API's JSON 404 rather than the site's HTML page.
    re_path(r"^stories/(?P<pk>[^/]+)/$", cached(views.StoryDetail.as_view()), name="story"),
    re_path(
        r"^stories/(?P<pk>[^/]+)/entries/$",
        cached(views.LiveEntryList.as_view()),
        name="live-entries",
    ),
    path("sections/", cached(views.SectionList.as_view()), name="sections"),
    path("tags/", cached(views.TagList.as_view()), name="tags"),
    path("authors/", cached(views.AuthorList.as_view()), name="authors"),
    path("corrections/", cached(views.CorrectionList.as_view()), name="corrections"),
    path("openapi.json", SpectacularJSONAPIView.as_view(), name="schema"),
]

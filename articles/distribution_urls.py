"""Feeds, sitemaps and robots.txt: the addresses machines read."""

urlpatterns = []

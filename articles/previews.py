"""Seeing a story before readers do: staff preview and expiring share links."""

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from articles.models import Article, ShareLink


@require_GET
def preview(request, pk):
    article = get_object_or_404(Article.objects.select_related("section"), pk=pk)
    if not request.user.is_staff or not request.user.has_perm("articles.view_article"):
        raise Http404
    return render(request, "articles/article_detail.html", {"article": article, "preview": True})


@require_GET
def share(request, token):
    link = get_object_or_404(ShareLink.objects.valid().select_related("article"), token=token)
    response = render(
        request, "articles/article_detail.html", {"article": link.article, "preview": True}
    )
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response

"""Seeing a story before readers do: staff preview and expiring share links."""

from django.contrib.admin.views.decorators import staff_member_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET

from articles import fragments
from articles.models import Article, ShareLink


@require_GET
@staff_member_required
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The story exactly as readers will see it, for staff who may open it in the admin."""
    article = get_object_or_404(Article.objects.for_detail(), pk=pk)
    if not article.can_view(request.user):
        raise Http404
    response = _render_preview(request, article)
    # A draft must never be kept by a browser or shared cache, nor indexed if a link leaks.
    add_never_cache_headers(response)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_GET
def share(request: HttpRequest, token: str) -> HttpResponse:
    """A reviewer's view of a draft through a secret link; gone once revoked or expired."""
    link = get_object_or_404(ShareLink.objects.valid(), token=token)
    article = get_object_or_404(Article.objects.for_detail(), pk=link.article_id)
    link.record_view(request)
    response = _render_preview(request, article)
    add_never_cache_headers(response)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _render_preview(request: HttpRequest, article: Article) -> HttpResponse:
    """The story page as readers will see it, rendered afresh (never from the fragment cache)."""
    story = fragments.story(article)
    context = {"article": article, "story": story, "preview": True}
    return render(request, "articles/article_detail.html", context)

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET
from taggit.models import Tag

from accounts.models import Author
from articles.models import Article, ArticleRedirect, Section, Status

PAGE_SIZE = 20


def _page(request, queryset):
    return Paginator(queryset.for_listing().newest_first(), PAGE_SIZE).get_page(
        request.GET.get("page")
    )


@require_GET
def home(request):
    latest = Article.objects.live().for_listing().newest_first()[:20]
    return render(request, "articles/home.html", {"latest": latest})


@require_GET
def article_detail(request, section, year, month, day, slug):
    article = Article.objects.select_related("section", "featured_image").filter(slug=slug).first()
    if article is None:
        moved = ArticleRedirect.objects.filter(old_path=request.path).select_related("article")
        moved = moved.first()
        if moved and moved.article.is_live():
            return redirect(moved.article.get_absolute_url(), permanent=True)
        raise Http404
    if article.status == Status.WITHDRAWN:
        return render(request, "410.html", {"article": article}, status=410)
    if not article.is_live():
        raise Http404
    if request.path != article.get_absolute_url():
        return redirect(article.get_absolute_url(), permanent=True)
    return render(request, "articles/article_detail.html", {"article": article})


@require_GET
def section(request, section):
    section = get_object_or_404(Section, slug=section)
    page = _page(request, Article.objects.live().in_section(section))
    return render(request, "articles/section.html", {"section": section, "page": page})


@require_GET
def tag(request, slug):
    tag = get_object_or_404(Tag, slug=slug)
    page = _page(request, Article.objects.live().tagged(tag))
    return render(request, "articles/tag.html", {"tag": tag, "page": page})


@require_GET
def author(request, slug):
    author = get_object_or_404(Author, slug=slug)
    page = _page(request, Article.objects.live().by(author))
    return render(request, "articles/author.html", {"author": author, "page": page})


@require_GET
def search(request):
    query = request.GET.get("q", "").strip()[:200]
    results = Article.objects.live().filter(headline__icontains=query) if query else []
    return render(request, "articles/search.html", {"query": query, "results": results})

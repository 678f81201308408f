"""The newsletter's public pages: sign-up, the confirmation link, unsubscribing.

CSRF: the sign-up form sits on a public page the edge caches for everyone, and readers have
no session (a CSRF cookie would also make Varnish pass every later page of theirs), so the
sign-up POST is CSRF-exempt. A forged cross-site POST can only make a browser ask for a
confirmation mail to an address the forger chose, which the forger could ask for directly;
nobody is subscribed without clicking the signed link in their own inbox. What remains,
mail-bombing, is bounded: NEWSLETTER_SIGNUPS_PER_HOUR per client address, and one mail per
address per NEWSLETTER_RESEND_MINUTES. The confirm and unsubscribe POSTs carry their own
signed token in the address, which is the credential; RFC 8058 one-click unsubscribe must
work without a CSRF token anyway.

Every answer is the same whether the address was new, pending or subscribed already.
"""

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from accounts.signin import client_ip
from articles.public import public_page
from newsletter.forms import SignupForm
from newsletter.models import BadToken, Subscriber


@require_safe
@public_page
def signup(request: HttpRequest) -> HttpResponse:
    return render(request, "newsletter/signup.html", {"form": SignupForm()})


def _over_limit(request: HttpRequest) -> bool:
    """Counts sign-ups per client address per hour in the cache (which fails open: with the
    cache down only the per-address limit holds)."""
    key = f"newsletter-signups:{client_ip(request)}"
    cache.add(key, 0, timeout=3600)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr, or the cache is down
        return False
    return count > settings.NEWSLETTER_SIGNUPS_PER_HOUR


@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def subscribe(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return redirect("newsletter:signup")
    form = SignupForm(request.POST)
    if not form.is_valid():
        return render(request, "newsletter/signup.html", {"form": form}, status=400)
    if _over_limit(request):
        return render(
            request, "newsletter/signup.html", {"form": form, "limited": True}, status=429
        )
    Subscriber.request(form.cleaned_data["email"])
    context = {"hours": settings.NEWSLETTER_CONFIRM_HOURS}
    return render(request, "newsletter/check_inbox.html", context)


def _token_page(request, token: str, load, template: str, act) -> HttpResponse:
    try:
        subscriber = load(token)
    except BadToken as bad:
        context = {"expired": bad.expired, "hours": settings.NEWSLETTER_CONFIRM_HOURS}
        return render(request, "newsletter/bad_link.html", context, status=400)
    if request.method == "POST":
        act(subscriber)
        return render(request, template, {"done": True, "subscriber": subscriber})
    return render(request, template, {"done": False, "subscriber": subscriber})


@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks (mail scanners open links; a click on the button confirms), POST confirms."""
    return _token_page(
        request,
        token,
        Subscriber.from_confirmation_token,
        "newsletter/confirm.html",
        Subscriber.confirm,
    )


@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """RFC 8058: a POST (the mail client's one click, or the page's button) unsubscribes; a
    GET only asks."""
    return _token_page(
        request,
        token,
        Subscriber.from_unsubscribe_token,
        "newsletter/unsubscribe.html",
        Subscriber.unsubscribe,
    )

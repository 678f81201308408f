"""Who may call the API and how often: API keys, anonymous access, rate limits.

A key is sent as `Authorization: Api-Key <key>` (or `X-Api-Key: <key>`). A wrong or revoked
key is refused with 401 and says which, rather than falling back to anonymous access:
a partner whose key was revoked should find out, not quietly get the anonymous rate.
Counting is DRF throttling on the Django cache, which fails open (newsroom.redis_cache):
with Redis down nobody is limited rather than everybody refused.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from rest_framework import authentication, exceptions, permissions, throttling

from accounts.signin import client_ip
from api.models import ApiKey

SCHEME = "Api-Key"
HEADER = "X-Api-Key"


def sent_key(request) -> str | None:
    """The raw key the request carries, if any (either header)."""
    auth = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, value = auth.partition(" ")
    if scheme.lower() == SCHEME.lower() and value.strip():
        return value.strip()
    return request.META.get("HTTP_X_API_KEY", "").strip() or None


class ApiKeyAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        raw = sent_key(request)
        if raw is None:
            return None
        key = ApiKey.objects.matching(raw)
        if key is None:
            raise exceptions.AuthenticationFailed("Unknown API key.")
        if key.is_revoked:
            raise exceptions.AuthenticationFailed("This API key has been revoked.")
        return AnonymousUser(), key

    def authenticate_header(self, request) -> str:
        return SCHEME  # makes DRF answer 401 (with WWW-Authenticate) rather than 403


class KeyOrAnonymous(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        if isinstance(request.auth, ApiKey) or settings.API_ANONYMOUS_ACCESS:
            return True
        # DRF's own 401 text ("credentials were not provided") does not say which.
        raise exceptions.NotAuthenticated("An API key is required (Authorization: Api-Key <key>).")


class ApiRateThrottle(throttling.SimpleRateThrottle):
    """Per key at the key's own rate; anonymous callers per address at API_ANONYMOUS_RATE."""

    scope = "api"

    def allow_request(self, request, view):
        key = request.auth if isinstance(request.auth, ApiKey) else None
        self.rate = f"{key.requests_per_minute}/min" if key else settings.API_ANONYMOUS_RATE
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_rate(self):
        return settings.API_ANONYMOUS_RATE  # replaced per request in allow_request

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiKey):
            return f"throttle_api_key_{request.auth.pk}"
        # The sign-in lockouts' address (TRUSTED_PROXY_COUNT), not DRF's get_ident, which
        # believes any X-Forwarded-For a caller sends.
        return f"throttle_api_anon_{client_ip(request._request)}"

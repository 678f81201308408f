"""The pages' edge caching for API responses, and how API keys change it.

Anonymous responses are public: the edge keeps them and purges them by surrogate key like
the pages (articles.public.public_page). Responses to a request with an API key are
`private`: the edge must pass those to the origin, or the key's rate limit and revocation
would not be enforced. They still carry ETag/Surrogate-Key, so a partner can revalidate
with If-None-Match and get a 304. Every response varies on the key headers, so an edge
that does cache by them never serves one caller's answer to another kind of caller.
"""

import functools

from django.utils.cache import patch_cache_control, patch_vary_headers

from api.access import sent_key
from articles.public import public_page


def cached(view):
    @functools.wraps(view)
    def rendered(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response.render()  # public_page hashes the body for its ETag
        return response

    public = public_page(rendered)

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        response = public(request, *args, **kwargs)
        patch_vary_headers(response, ("Authorization", "X-Api-Key"))
        if sent_key(request) and "public" in response.get("Cache-Control", ""):
            del response["Cache-Control"]
            patch_cache_control(response, private=True, max_age=0, must_revalidate=True)
        return response

    return wrapper

from django.conf import settings


def site(request):
    """The outlet's identity, for every template. No database access: 404 pages use it too."""
    handle = settings.SITE_TWITTER.strip().lstrip("@")
    return {
        "SITE_NAME": settings.SITE_NAME,
        "SITE_TWITTER": f"@{handle}" if handle else "",
        "SITE_TWITTER_URL": f"https://x.com/{handle}" if handle else "",
        "SITE_LANGUAGE": settings.SITE_LANGUAGE,
        "SITE_DESCRIPTION": getattr(
            settings,
            "SITE_DESCRIPTION",
            f"News, analysis and opinion from {settings.SITE_NAME}: politics, business, "
            "the region and the world, reported by our own journalists.",
        ),
    }

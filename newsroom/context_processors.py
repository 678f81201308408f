from django.conf import settings


def site(request):
    """The outlet's identity, for every template."""
    return {
        "SITE_NAME": settings.SITE_NAME,
        "SITE_URL": settings.SITE_URL,
        "SITE_TWITTER": settings.SITE_TWITTER,
        "SITE_LANGUAGE": settings.SITE_LANGUAGE,
    }

"""The messages the newsletter sends: the confirmation of a sign-up and an edition, each an
HTML part that mail clients render (tables, inline styles, no scripts, no external CSS, no
tracking) with a plain-text alternative."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from newsletter.models import Edition, Subscriber
from newsroom.addresses import absolute_url


def confirmation_message(subscriber: Subscriber) -> EmailMultiAlternatives:
    context = {
        "SITE_NAME": settings.SITE_NAME,
        "confirm_url": absolute_url(
            reverse("newsletter:confirm", args=[subscriber.confirmation_token()])
        ),
        "hours": settings.NEWSLETTER_CONFIRM_HOURS,
    }
    return EmailMultiAlternatives(
        f"Confirm your subscription to {settings.SITE_NAME} daily",
        render_to_string("newsletter/confirm_email.txt", context),
        to=[subscriber.email],
    )


def unsubscribe_headers(subscriber: Subscriber) -> dict[str, str]:
    """RFC 2369 and RFC 8058 one-click unsubscribe: mail clients POST to the address."""
    token = subscriber.unsubscribe_token()
    url = absolute_url(reverse("newsletter:unsubscribe", args=[token]))
    mailto = f"mailto:{settings.NEWSLETTER_UNSUBSCRIBE_MAILTO}?subject=unsubscribe%20{token}"
    return {
        "List-Unsubscribe": f"<{url}>, <{mailto}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "List-Id": f"{settings.SITE_NAME} daily <daily.{urlsplit(settings.SITE_URL).hostname}>",
    }


def edition_context(edition: Edition, stories: list, unsubscribe_url: str = "") -> dict:
    items = []
    for story in stories:
        image = story.featured_image
        items.append(
            {
                "headline": story.headline,
                "standfirst": story.standfirst,
                "label": story.label,
                "sponsor": story.sponsor,
                "section": story.section.name,
                "url": absolute_url(story.get_absolute_url()),
                "image_url": absolute_url(image.rendition_url(600)) if image else "",
                "image_alt": image.alt_text if image else "",
                # Mail clients lay the page out before images load (or never load them).
                "image_height": round(600 * image.height / image.width)
                if image and image.width
                else 0,
            }
        )
    return {
        "SITE_NAME": settings.SITE_NAME,
        "SITE_LANGUAGE": settings.SITE_LANGUAGE,
        "site_url": absolute_url("/"),
        "edition": edition,
        "paragraphs": [p.strip() for p in edition.note.split("\n\n") if p.strip()],
        "stories": items,
        "unsubscribe_url": unsubscribe_url,
        "signup_url": absolute_url(reverse("newsletter:signup")),
    }


def edition_message(
    edition: Edition, stories: list, subscriber: Subscriber, connection=None
) -> EmailMultiAlternatives:
    headers = unsubscribe_headers(subscriber)
    url = headers["List-Unsubscribe"].split(">", 1)[0].lstrip("<")
    context = edition_context(edition, stories, url)
    message = EmailMultiAlternatives(
        edition.subject,
        render_to_string("newsletter/edition_email.txt", context),
        to=[subscriber.email],
        headers=headers,
        connection=connection,
    )
    message.attach_alternative(
        render_to_string("newsletter/edition_email.html", context), "text/html"
    )
    return message

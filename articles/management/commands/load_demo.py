"""`manage.py load_demo`: a small, believable newsroom to click through (used by `make run`).

Everything is looked up by a natural key before it is created, so running the command
again changes nothing. Stories move through the real workflow methods, acted by the demo
journalist and editor, so their event history is genuine; publish times are then moved
into the past so the site looks like a newsroom that has been running for a while.
"""

import datetime as dt
import html
import io
import secrets
import time
from typing import Any

import reversion
from anyascii import anyascii
from django.contrib.auth.models import Group, User
from django.contrib.flatpages.models import FlatPage
from django.contrib.sites.models import Site
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from PIL import Image as PILImage
from PIL import ImageDraw, ImageFont, ImageOps
from taggit.models import Tag

from accounts import twofactor
from accounts.models import EDITORS, JOURNALISTS, Author
from articles import notifications, sitemap_summary
from articles.apps import sync_site
from articles.management.commands import _demo_content as content
from articles.models import (
    Article,
    ArticleEvent,
    BreakingBanner,
    Byline,
    Correction,
    Image,
    LiveEntry,
    Section,
)
from articles.text import ascii_slug
from newsroom.addresses import absolute_url

DEMO_API_KEY_NAME = "Demo partner"
LOGINS = [
    # username, first name, last name, group, superuser
    ("journalist", "Leyla", "Məmmədova", JOURNALISTS, False),
    ("editor", "Rəşad", "Həsənov", EDITORS, False),
    ("admin", "Site", "Administrator", None, True),
]


def markup_to_html(text: str, photos: dict[str, Image] | None = None) -> str:
    """The demo's tiny markup: blank-line blocks; '## ' subhead, '> ' quote, '- '/'1. ' lists,
    and the body elements (articles.body): '!! ' pull quote, '[facts Title]' and '- ' lines a
    fact box, '[photo key]' a photo from the library, '[embed URL]' an embed."""
    blocks = []
    for block in text.strip().split("\n\n"):
        lines = [line.strip() for line in block.strip().splitlines()]
        first = lines[0]
        if first.startswith("[photo ") and photos:
            blocks.append(f'<figure data-photo="{photos[first[7:-1]].pk}"></figure>')
        elif first.startswith("[embed "):
            blocks.append(f'<figure data-embed="{html.escape(first[7:-1])}"></figure>')
        elif first.startswith("[facts "):
            items = "".join(f"<li><p>{html.escape(line[2:])}</p></li>" for line in lines[1:])
            title = html.escape(first[7:-1])
            blocks.append(f'<aside class="fact-box"><h2>{title}</h2><ul>{items}</ul></aside>')
        elif first.startswith("!! "):
            quote = " ".join(line.removeprefix("!! ") for line in lines)
            blocks.append(f'<aside class="pull-quote"><p>{html.escape(quote)}</p></aside>')
        elif first.startswith("## "):
            blocks.append(f"<h2>{html.escape(first[3:])}</h2>")
        elif first.startswith("> "):
            quote = " ".join(line.removeprefix("> ") for line in lines)
            blocks.append(f"<blockquote><p>{html.escape(quote)}</p></blockquote>")
        elif first.startswith("- "):
            items = "".join(f"<li><p>{html.escape(line[2:])}</p></li>" for line in lines)
            blocks.append(f"<ul>{items}</ul>")
        elif first[:3] in ("1. ", "1) "):
            items = "".join(
                f"<li><p>{html.escape(line.split(' ', 1)[1])}</p></li>" for line in lines
            )
            blocks.append(f"<ol>{items}</ol>")
        else:
            blocks.append(f"<p>{html.escape(' '.join(lines))}</p>")
    return "".join(blocks)


def demo_photo(title: str, colors: tuple[str, str], size: tuple[int, int], shape: str) -> bytes:
    """A gradient with a few shapes and a caption line: recognisable, and no download."""
    width, height = size
    gradient = PILImage.linear_gradient("L").rotate(-35, expand=False).resize(size)
    image = ImageOps.colorize(gradient, colors[0], colors[1]).convert("RGB")
    draw = ImageDraw.Draw(image, "RGBA")
    if shape == "skyline":
        x = 0
        for n in range(14):
            w = width // 14
            h = int(height * (0.25 + 0.35 * ((n * 7) % 5) / 5))
            draw.rectangle([x, height - h, x + w - 6, height], fill=(15, 25, 45, 170))
            x += w
        draw.polygon(
            [(width * 0.62, height), (width * 0.7, height * 0.28), (width * 0.78, height)],
            fill=(20, 30, 60, 200),
        )
    elif shape == "sea":
        for n in range(8):
            y = int(height * (0.55 + n * 0.06))
            draw.arc(
                [-width // 4, y, width * 5 // 4, y + height // 3],
                180,
                360,
                fill=(255, 255, 255, 90),
                width=4,
            )
        draw.ellipse(
            [width * 0.7, height * 0.12, width * 0.82, height * 0.12 + width * 0.12],
            fill=(255, 230, 160, 220),
        )
    elif shape == "mountains":
        draw.polygon(
            [
                (0, height),
                (width * 0.3, height * 0.3),
                (width * 0.55, height * 0.75),
                (width * 0.8, height * 0.2),
                (width, height),
            ],
            fill=(30, 45, 40, 200),
        )
        draw.polygon(
            [
                (width * 0.26, height * 0.38),
                (width * 0.3, height * 0.3),
                (width * 0.34, height * 0.38),
            ],
            fill=(255, 255, 255, 220),
        )
    else:  # portrait
        cx, cy = width // 2, height // 2
        draw.ellipse(
            [cx - width // 6, cy - height // 3.2, cx + width // 6, cy + height // 30],
            fill=(240, 220, 200, 230),
        )
        draw.rectangle(
            [cx - width // 3.2, cy + height // 8, cx + width // 3.2, height], fill=(40, 50, 80, 230)
        )
    draw.rectangle([0, height - height // 9, width, height], fill=(0, 0, 0, 120))
    _label(draw, (width // 40, height - height // 10), title, size=max(18, height // 16))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


# Pillow's own font has no “ə” and would draw “Qəbələ” with empty boxes; a system font that
# has it is used where one is installed, else the label is transliterated.
LABEL_FONTS = ("DejaVuSans.ttf", "LiberationSans-Regular.ttf", "Arial Unicode.ttf")


def _label(draw: ImageDraw.ImageDraw, xy: tuple[int, int], text: str, size: int) -> None:
    for name in LABEL_FONTS:
        try:
            font = ImageFont.truetype(name, size)
        except OSError:
            continue
        draw.text(xy, text, fill="white", font=font)
        return
    draw.text(xy, anyascii(text), fill="white", font=ImageFont.load_default(size=size))


class Command(BaseCommand):
    help = "Load the demo newsroom: sections, authors, logins, photos, stories, pages (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        self.created: dict[str, int] = {}
        # The demo's history tells no one (the desk would get two dozen mails at once).
        with notifications.muted(), transaction.atomic():
            self.load_site()
            users = self.load_logins()
            self.load_api_key(users["editor"])
            sections = self.load_sections()
            photos = self.load_photos(users["editor"])
            authors = self.load_authors(users, photos)
            tags = self.load_tags()
            self.load_stories(users, sections, authors, photos, tags)
            self.load_pages()
            self.load_banner()
            sitemap_summary.rebuild()  # backdate() moved publish_at with update(), not save()
        seconds = time.monotonic() - started
        if not any(self.created.values()):
            self.stdout.write(
                self.style.SUCCESS("Demo newsroom already loaded: nothing changed.")
                + f" ({seconds:.1f} s)"
            )
            return
        made = ", ".join(f"{n} {what}" for what, n in self.created.items() if n)
        self.stdout.write(self.style.SUCCESS(f"Demo newsroom ready: {made} ({seconds:.1f} s)."))

    def step(self, what: str, created: int, total: int) -> None:
        self.created[what] = created
        note = f"{created} created" if created else "already there"
        self.stdout.write(f"  {what:<13} {total:>3}  ({note})")

    # --- Pieces ------------------------------------------------------------------------

    def load_site(self) -> None:
        sync_site()
        site = Site.objects.get_current()
        self.stdout.write(f"Site: {site.name} ({site.domain})")

    def load_logins(self) -> dict[str, User]:
        users, passwords, second_steps = {}, [], []
        for username, first, last, group, superuser in LOGINS:
            user = User.objects.filter(username=username).first()
            if user is None:
                password = secrets.token_urlsafe(12)
                make = User.objects.create_superuser if superuser else User.objects.create_user
                user = make(
                    username=username,
                    password=password,
                    first_name=first,
                    last_name=last,
                    email=f"{username}@{Site.objects.get_current().domain.split(':')[0]}",
                    is_staff=True,
                )
                if group:
                    user.groups.add(Group.objects.get(name=group))
                passwords.append((username, password))
                if twofactor.is_required(user):
                    second_steps.append((username, *self.enrol(user)))
            users[username] = user
        self.step("logins", len(passwords), len(users))
        if passwords:
            self.stdout.write(self.style.WARNING("  Demo logins (shown once, write them down):"))
            for username, password in passwords:
                self.stdout.write(f"    {username:<11} {password}")
        if second_steps:
            names = " and ".join(name for name, *_ in second_steps)
            self.stdout.write(
                f"  {names} must also pass a second step (STAFF_2FA_REQUIRED): add the key to"
                " an authenticator app, or type one of the recovery codes (each works once):"
            )
            for username, key, codes in second_steps:
                self.stdout.write(f"    {username}: key {key}; recovery codes: {' '.join(codes)}")
        return users

    def load_api_key(self, editor: User) -> None:
        """A partner's key for the read API (/api/v1/), printed once like the logins."""
        from api.models import ApiKey

        made = 0
        if not ApiKey.objects.filter(name=DEMO_API_KEY_NAME).exists():
            _, raw = ApiKey.issue(DEMO_API_KEY_NAME, created_by=editor)
            made = 1
            self.stdout.write(
                self.style.WARNING("  Demo API key (shown once): ")
                + f"curl -H 'Authorization: Api-Key {raw}' {absolute_url('/api/v1/stories/')}"
            )
        self.step("api keys", made, ApiKey.objects.count())

    @staticmethod
    def enrol(user: User) -> tuple[str, list[str]]:
        """An authenticator app and recovery codes for a demo login that must have them, so
        that a newcomer can sign in from what this command prints."""
        device = TOTPDevice.objects.create(user=user, name="Demo authenticator", confirmed=True)
        return twofactor.totp_key(device), twofactor.new_recovery_codes(user)

    def load_sections(self) -> dict[str, Section]:
        sections, created = {}, 0
        for slug, name, parent, position, description in content.SECTIONS:
            section, made = Section.objects.get_or_create(
                slug=slug,
                defaults={
                    "name": name,
                    "parent": sections.get(parent),
                    "position": position,
                    "description": description,
                },
            )
            sections[slug], created = section, created + made
        self.step("sections", created, len(sections))
        return sections

    def load_photos(self, uploader: User) -> dict[str, Image]:
        photos, created = {}, 0
        for spec in content.PHOTOS:
            name = f"demo-{spec['key']}.jpg"
            photo = Image.objects.filter(alt_text=spec["alt"]).first()
            if photo is None:
                data = demo_photo(spec["title"], spec["colors"], spec["size"], spec["shape"])
                photo = Image(
                    file=ContentFile(data, name=name),
                    alt_text=spec["alt"],
                    caption=spec.get("caption", ""),
                    credit=spec["credit"],
                    uploaded_by=uploader,
                )
                photo.save()
                created += 1
            photos[spec["key"]] = photo
        self.step("photos", created, len(photos))
        return photos

    def load_authors(self, users: dict[str, User], photos: dict[str, Image]) -> dict[str, Author]:
        authors, created = {}, 0
        for spec in content.AUTHORS:
            fields = {k: v for k, v in spec.items() if k not in ("key", "login", "photo")}
            fields["photo"] = photos.get(spec.get("photo"))
            login = users.get(spec.get("login"))
            if login is not None:
                # Staff users already got an Author of their own; complete it once.
                author = Author.objects.get(user=login)
                if not author.bio:
                    for name, value in fields.items():
                        setattr(author, name, value)
                    author.save()
                    created += 1
            else:
                author, made = Author.objects.get_or_create(
                    slug=ascii_slug(spec["name"]), defaults=fields
                )
                created += made
            authors[spec["key"]] = author
        self.step("authors", created, len(authors))
        return authors

    def load_tags(self) -> dict[str, Tag]:
        tags, created = {}, 0
        for name in content.TAGS:
            # ASCII slugs, so /tags/gence/ and not a percent-encoded “gəncə”.
            tag, made = Tag.objects.get_or_create(name=name, defaults={"slug": ascii_slug(name)})
            tags[name], created = tag, created + made
        self.step("tags", created, len(tags))
        return tags

    def load_stories(self, users, sections, authors, photos, tags) -> None:
        now = timezone.now()
        created = 0
        for spec in content.STORIES:
            slug = ascii_slug(spec["headline"], 100)
            if Article.objects.filter(slug=slug).exists():
                continue
            self.load_story(spec, slug, now, users, sections, authors, photos, tags)
            created += 1
        self.step(
            "stories",
            created,
            Article.objects.filter(
                slug__in=[ascii_slug(s["headline"], 100) for s in content.STORIES]
            ).count(),
        )

    def load_story(self, spec, slug, now, users, sections, authors, photos, tags) -> Article:
        journalist, editor = users["journalist"], users["editor"]
        byline_keys = [key for key, _role in spec["bylines"]]
        owner = journalist if "leyla" in byline_keys else editor
        state = spec["state"]
        hours = spec.get("hours", 0)
        age = 0 if state == "scheduled" else hours  # scheduled stories' hours lie ahead
        created_at = now - dt.timedelta(hours=age + spec.get("worked_hours", 5))
        article = Article.objects.create(
            headline=spec["headline"],
            slug=slug,
            standfirst=spec["standfirst"],
            body=markup_to_html(spec["body"], photos),
            section=sections[spec["section"]],
            kind=spec.get("kind", "news"),
            sponsor=spec.get("sponsor", ""),
            dateline=spec.get("dateline", ""),
            featured_image=photos.get(spec.get("photo")),
            is_lead=spec.get("lead", False),
            is_breaking=spec.get("breaking", False),
            meta_description=spec.get("meta_description", ""),
            live_summary=spec.get("live_summary", ""),
            created_by=owner,
            modified_by=owner,
        )
        for position, (key, role) in enumerate(spec["bylines"]):
            Byline.objects.create(
                article=article, author=authors[key], role=role, position=position
            )
        article.tags.add(*(tags[name] for name in spec["tags"]))

        if state != "draft":
            article.submit(owner, note=spec.get("submit_note", ""))
        if state == "returned":
            article.return_to_authors(editor, spec["note"])
        elif state == "scheduled":
            article.schedule(editor, now + dt.timedelta(hours=hours))
        elif state in ("published", "withdrawn"):
            article.publish(editor)
            self.backdate(article, now - dt.timedelta(hours=hours), created_at)
            if state == "withdrawn":
                article.unpublish(editor, note=spec["note"])
            for n, (kind, text) in enumerate(spec.get("corrections", [])):
                Correction.objects.create(
                    article=article,
                    kind=kind,
                    text=text,
                    published_at=article.publish_at + dt.timedelta(hours=2 + n),
                    created_by=editor,
                )
        if spec.get("entries"):
            self.load_live_entries(article, spec["entries"], users, authors, photos)
        Article.objects.filter(pk=article.pk).update(created_at=created_at)
        with reversion.create_revision():
            reversion.set_user(owner)
            reversion.set_comment("Demo story loaded")
            reversion.add_to_revision(article)
        return article

    @staticmethod
    def load_live_entries(article, entries, users, authors, photos) -> None:
        """A live blog's entries, posted through LiveEntry.post() like the desk's, then
        moved to their demo times after the story's (backdated) publication."""
        start = article.publish_at
        for minutes, author, headline, body, options in entries:
            options = dict(options)
            if "photo" in options:
                options["photo"] = photos[options["photo"]]
            poster = users["journalist"] if author == "leyla" else users["editor"]
            entry = LiveEntry(
                article=article,
                author=authors[author],
                headline=headline,
                body=markup_to_html(body),
                **options,
            ).post(poster)
            LiveEntry.objects.filter(pk=entry.pk).update(
                posted_at=start + dt.timedelta(minutes=minutes)
            )

    @staticmethod
    def backdate(article: Article, published: dt.datetime, created: dt.datetime) -> None:
        """Move a just-published story (and its workflow events) to its demo publish time."""
        Article.objects.filter(pk=article.pk).update(
            publish_at=published, first_published_at=published, modified_at=published
        )
        events = list(ArticleEvent.objects.filter(article=article).order_by("pk"))
        for n, event in enumerate(events):
            moment = published if n == len(events) - 1 else created + dt.timedelta(hours=n + 1)
            ArticleEvent.objects.filter(pk=event.pk).update(created_at=min(moment, published))
        article.refresh_from_db()

    def load_pages(self) -> None:
        site = Site.objects.get_current()
        created = 0
        for url, title, text in content.PAGES:
            page, made = FlatPage.objects.get_or_create(
                url=url, defaults={"title": title, "content": markup_to_html(text)}
            )
            if made:
                page.sites.add(site)
            created += made
        self.step("pages", created, len(content.PAGES))

    def load_banner(self) -> None:
        breaking = Article.objects.filter(is_breaking=True).live().first()
        made = False
        if breaking and not BreakingBanner.objects.filter(text=content.BANNER).exists():
            BreakingBanner.objects.create(
                text=content.BANNER,
                url=breaking.get_absolute_url(),
                starts_at=timezone.now() - dt.timedelta(minutes=30),
                ends_at=timezone.now() + dt.timedelta(hours=12),
            )
            made = True
        self.step("banner", int(made), BreakingBanner.objects.filter(text=content.BANNER).count())

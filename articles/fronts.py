"""Front pages: the stories editors placed in a front's slots, and the newest live stories
that fill the slots nobody filled.

A view reads the newest few hundred live stories as light rows (pk, section, kind, photo,
lead flag), asks placed() what editors arranged, and hands both to a Chooser, which never
picks a story twice on one page. Placements are read through Placement.objects.showing(),
so an expired placement or one whose story is no longer live falls back by itself.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Iterator

from articles.models import Article, Placement, StoryRow

# The light rows views choose from (newest first): (pk, section_id, kind, featured_image_id,
# is_lead), with modified_at after them where stubs() makes the teasers' fragment keys.
ROW_FIELDS = ("pk", "section_id", "kind", "featured_image_id", "is_lead")
Row = tuple


@dataclasses.dataclass
class Placed:
    """The placements in force on the home page and the section fronts, by front."""

    leads: dict[int | None, int]  # front's section id (None: home) -> story id
    tops: dict[int | None, list[int]]  # ... -> story ids in the editors' order
    expires: float | None = None  # when the first of them runs out (a timestamp)

    def lead(self, section_id: int | None) -> int | None:
        return self.leads.get(section_id)

    def top(self, section_id: int | None) -> list[int]:
        return self.tops.get(section_id, [])

    def stories(self, *section_ids: int | None) -> set[int]:
        """The stories placed on these fronts (None: the home page's)."""
        pks = {self.leads[s] for s in section_ids if s in self.leads}
        return pks | {pk for s in section_ids for pk in self.tops.get(s, [])}


def placed(at: dt.datetime) -> Placed:
    """Every placement in force on every front, in one query (a few dozen rows)."""
    placements = Placement.objects.showing(at).order_by("slot", "position", "pk")
    leads: dict[int | None, int] = {}
    tops: dict[int | None, list[int]] = {}
    expiries = []
    for section_id, slot, article_id, expires_at in placements.values_list(
        "front__section_id", "slot", "article_id", "expires_at"
    ):
        if slot == Placement.Slot.LEAD:
            leads.setdefault(section_id, article_id)
        else:
            tops.setdefault(section_id, []).append(article_id)
        if expires_at is not None:
            expiries.append(expires_at.timestamp())
    return Placed(leads, tops, min(expiries, default=None))


class Chooser:
    """Picks the stories of one page's slots from placements and the newest live stories,
    each story at most once. `top_sections` maps every section to its top-level section, so
    a block for Nation takes Politics' stories too."""

    def __init__(self, recent: list[Row], top_sections: dict[int, int], reserved: set[int]):
        self.recent = recent
        # Each section block looks only at its own stories, not at all the recent ones.
        self.recent_in: dict[int, list[Row]] = {}
        for row in recent:
            self.recent_in.setdefault(top_sections.get(row[1], row[1]), []).append(row)
        self.taken: set[int] = set()
        # The stories placed on this page wait for their own slots: no automatic slot takes
        # them first.
        self.reserved = reserved

    def _candidates(
        self, section: int | None = None, kind: str | None = None, not_kind: str | None = None
    ) -> Iterator[Row]:
        rows = self.recent if section is None else self.recent_in.get(section, [])
        for row in rows:
            pk, _, story_kind = row[:3]
            if pk in self.taken or pk in self.reserved:
                continue
            if kind is not None and story_kind != kind:
                continue
            if not_kind is not None and story_kind == not_kind:
                continue
            yield row

    def _take(self, pks: list[int]) -> list[int]:
        self.taken.update(pks)
        return pks

    def lead(
        self,
        placed_pk: int | None,
        section: int | None = None,
        flagged: bool | None = None,
        not_kind: str | None = None,
    ) -> int | None:
        """The placed story; else the newest story flagged as lead (the home page's own
        lead: `flagged` is on when no section is asked for); else the newest with a photo;
        else the newest. `not_kind` leaves a kind to a slot of its own (opinion)."""
        if placed_pk is not None and placed_pk not in self.taken:
            return self._take([placed_pk])[0]
        rows = list(self._candidates(section, not_kind=not_kind))
        if flagged is None:
            flagged = section is None
        marked = next((r for r in rows if r[4]), None) if flagged else None
        choice = marked or next((r for r in rows if r[3]), None) or next(iter(rows), None)
        return self._take([choice[0]])[0] if choice else None

    def top(
        self,
        placed_pks: list[int],
        count: int,
        section: int | None = None,
        not_kind: str | None = None,
    ) -> list[int]:
        """The placed stories in the editors' order, then the newest, `count` in all."""
        chosen = self._take([pk for pk in dict.fromkeys(placed_pks) if pk not in self.taken])
        chosen = chosen[:count]
        return chosen + self.newest(count - len(chosen), section=section, not_kind=not_kind)

    def newest(
        self,
        count: int,
        section: int | None = None,
        kind: str | None = None,
        not_kind: str | None = None,
    ) -> list[int]:
        """The newest `count` stories not shown yet."""
        if count <= 0:
            return []
        pks = []
        for row in self._candidates(section, kind, not_kind):
            pks.append(row[0])
            if len(pks) == count:
                break
        return self._take(pks)


def stubs(recent: list[Row], pks: list[int]) -> dict[int, Article]:
    """Stories as their fragments' keys need them (pk, modified_at): from the rows already
    read, and one query for a placed story older than all of them."""
    wanted = set(pks)
    # Only the wanted ones become instances: the recent rows are hundreds.
    known = {row[0]: Article(pk=row[0], modified_at=row[-1]) for row in recent if row[0] in wanted}
    missing = [pk for pk in wanted if pk not in known]
    if missing:
        known |= Article.objects.only("pk", "modified_at").in_bulk(missing)
    return known


def story_rows(pks: Iterable[int]) -> dict[int, StoryRow]:
    """Headline lists (“Latest”, a section's headlines) need a link and a time, not a
    rendered teaser: one query of plain rows, no model instances."""
    pks = list(dict.fromkeys(pks))
    if not pks:
        return {}
    rows = Article.objects.filter(pk__in=pks).values_list(*StoryRow.FIELDS)
    return {row[0]: StoryRow(*row) for row in rows}


def row_keys(row: StoryRow) -> tuple[str, str]:
    """What a headline in a list shows: the story (headline, address) and its section (in
    the address)."""
    return f"story-{row.pk}", f"section-{row.section_id}"

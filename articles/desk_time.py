"""Times on the desk as the newsroom reads them: in its own zone (settings.TIME_ZONE), on a
24-hour clock, with the zone named, whatever the zone or locale of the browser."""

import datetime as dt

from django.utils import formats, timezone

# How the desk types and reads a time: 2031-05-04 09:30. The "T" a datetime-local input
# sends (and older links and tests post) is accepted too.
DESK_TIME_FORMAT = "%Y-%m-%d %H:%M"
DESK_TIME_INPUT_FORMATS = [DESK_TIME_FORMAT, "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S"]


def zone_label(at: dt.datetime | None = None) -> str:
    """The newsroom's zone and its offset from UTC at `at` (now by default), e.g.
    "Asia/Baku, UTC+04:00"."""
    local = timezone.localtime(at or timezone.now())
    offset = local.strftime("%z")
    return f"{timezone.get_current_timezone_name()}, UTC{offset[:3]}:{offset[3:]}"


def desk_time(value: dt.datetime | None, with_zone: bool = False) -> str:
    """ "4 May 2031, 09:30" in the newsroom's zone ("–" for no time); with_zone adds
    "(Asia/Baku, UTC+04:00)"."""
    if value is None:
        return "–"
    local = timezone.localtime(value)
    shown = formats.date_format(local, "j M Y, H:i")
    return f"{shown} ({zone_label(value)})" if with_zone else shown

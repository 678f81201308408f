# How Django prints dates and times in English wherever a template or the admin does not name a
# format: a newsroom reads the 24-hour clock and day-month order ("2 Dec 2026, 13:05"), not
# Django's US default ("Dec. 2, 2026, 1:05 p.m."). Loaded through FORMAT_MODULE_PATH.
DATE_FORMAT = "j M Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j M Y, H:i"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
FIRST_DAY_OF_WEEK = 1  # Monday

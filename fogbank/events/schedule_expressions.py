"""Schedule expressions shared by EventBridge rules and EventBridge Scheduler: `rate(...)`,
`cron(...)` (six fields: minutes hours day-of-month month day-of-week year) and Scheduler's
`at(...)`, with the next occurrence after an instant computed in a time zone.

Syntax: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html and
https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html. Daylight saving time
follows Scheduler's documented rule: a local time skipped when clocks spring forward is skipped; a
local time that occurs twice in the fall runs once (its first occurrence).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

_RATE = re.compile(r"rate\((\d+) (minute|minutes|hour|hours|day|days)\)")
_AT = re.compile(r"at\((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\)")
_UNITS = {"minute": 60, "hour": 3600, "day": 86400}
_MONTHS = {name.upper(): index for index, name in enumerate(calendar.month_abbr) if name}
_DAYS = {"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}
MAX_SEARCH_DAYS = 366 * 8


class InvalidExpression(ValueError):
    """The expression is not valid; callers word the AWS error."""


@dataclass(frozen=True, slots=True)
class Rate:
    seconds: int


@dataclass(frozen=True, slots=True)
class At:
    local: datetime  # naive, in the schedule's time zone


@dataclass(frozen=True, slots=True)
class Cron:
    minutes: frozenset[int]
    hours: frozenset[int]
    days_of_month: str  # the raw field: it can hold L, W and ?
    months: frozenset[int]
    days_of_week: str
    years: frozenset[int] | None

    def day_matches(self, day: date) -> bool:
        if day.month not in self.months or (self.years is not None and day.year not in self.years):
            return False
        return _dom_matches(self.days_of_month, day) and _dow_matches(self.days_of_week, day)


Expression = Rate | At | Cron


def parse(text: str, *, allow_at: bool = False) -> Expression:
    rate = _RATE.fullmatch(text)
    if rate:
        value, unit = int(rate.group(1)), rate.group(2)
        if value <= 0 or (value == 1) != (not unit.endswith("s")):
            raise InvalidExpression(text)
        return Rate(value * _UNITS[unit.rstrip("s")])
    if allow_at:
        at = _AT.fullmatch(text)
        if at:
            try:
                year, month, day, hour, minute, second = (int(part) for part in at.groups())
                return At(datetime(year, month, day, hour, minute, second))
            except ValueError:
                raise InvalidExpression(text) from None
    if text.startswith("cron(") and text.endswith(")"):
        return _parse_cron(text[5:-1])
    raise InvalidExpression(text)


def _parse_cron(body: str) -> Cron:
    fields = body.split()
    if len(fields) != 6:
        raise InvalidExpression(body)
    minutes, hours, dom, months, dow, years = fields
    # AWS requires `?` in exactly one of day-of-month and day-of-week.
    if (dom == "?") == (dow == "?"):
        raise InvalidExpression(body)
    try:
        cron = Cron(
            _values(minutes, 0, 59, {}),
            _values(hours, 0, 23, {}),
            dom,
            _values(months, 1, 12, _MONTHS),
            dow,
            None if years == "*" else _values(years, 1970, 2199, {}),
        )
        _dom_matches(dom, date(2024, 1, 1))
        _dow_matches(dow, date(2024, 1, 1))
    except (ValueError, KeyError):
        raise InvalidExpression(body) from None
    return cron


def _values(field: str, low: int, high: int, names: dict[str, int]) -> frozenset[int]:
    found: set[int] = set()
    for part in field.split(","):
        base, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if base in ("*", "?"):
            start, end = low, high
        elif "-" in base:
            first, last = base.split("-", 1)
            start, end = _number(first, names), _number(last, names)
        else:
            start = _number(base, names)
            end = high if step_text else start
        if step <= 0 or not (low <= start <= high and low <= end <= high) or start > end:
            raise ValueError(part)
        found.update(range(start, end + 1, step))
    return frozenset(found)


def _number(text: str, names: dict[str, int]) -> int:
    return names[text.upper()] if text.upper() in names else int(text)


def _dom_matches(field: str, day: date) -> bool:
    if field == "?" or field == "*":
        return True
    last = calendar.monthrange(day.year, day.month)[1]
    if field == "L":
        return day.day == last
    if field.endswith("W"):
        return day == _nearest_weekday(day.year, day.month, int(field[:-1]))
    return day.day in _values(field, 1, 31, {})


def _nearest_weekday(year: int, month: int, wanted: int) -> date:
    last = calendar.monthrange(year, month)[1]
    target = date(year, month, min(wanted, last))
    if target.weekday() == 5:  # Saturday → Friday, unless that leaves the month
        return target - timedelta(days=1) if target.day > 1 else target + timedelta(days=2)
    if target.weekday() == 6:  # Sunday → Monday, unless that leaves the month
        return target + timedelta(days=1) if target.day < last else target - timedelta(days=2)
    return target


def _dow_matches(field: str, day: date) -> bool:
    if field == "?" or field == "*":
        return True
    weekday = (day.weekday() + 1) % 7 + 1  # cron numbers days 1 (SUN) to 7 (SAT)
    if "#" in field:
        name, nth = field.split("#")
        return weekday == _number(name, _DAYS) and (day.day - 1) // 7 + 1 == int(nth)
    if field.endswith("L"):
        last = calendar.monthrange(day.year, day.month)[1]
        return weekday == _number(field[:-1] or "7", _DAYS) and day.day + 7 > last
    return weekday in _values(field, 1, 7, _DAYS)


def next_after(
    expression: Expression, after: float, zone: str = "UTC", anchor: float | None = None
) -> float | None:
    """The first occurrence strictly after `after` (epoch seconds), or None when there is none.
    Rates count whole periods from `anchor` (the start date or creation)."""
    if isinstance(expression, Rate):
        base = anchor if anchor is not None else after
        if after < base:
            return base
        periods = int((after - base) // expression.seconds) + 1
        return base + periods * expression.seconds
    tz = ZoneInfo(zone)
    if isinstance(expression, At):
        instant = expression.local.replace(tzinfo=tz).timestamp()
        return instant if instant > after else None
    return _next_cron(expression, after, tz)


def _next_cron(cron: Cron, after: float, tz: ZoneInfo) -> float | None:
    start = datetime.fromtimestamp(after, UTC).astimezone(tz)
    day = start.date()
    hours, minutes = sorted(cron.hours), sorted(cron.minutes)
    for _ in range(MAX_SEARCH_DAYS):
        if cron.day_matches(day):
            for hour in hours:
                for minute in minutes:
                    instant = _local_instant(day, hour, minute, tz)
                    if instant is not None and instant > after:
                        return instant
        day += timedelta(days=1)
    return None


def _local_instant(day: date, hour: int, minute: int, tz: ZoneInfo) -> float | None:
    """The epoch instant of a local wall time; None when DST skips it (it does not exist)."""
    local = datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz)
    round_trip = datetime.fromtimestamp(local.timestamp(), UTC).astimezone(tz)
    if (round_trip.hour, round_trip.minute) != (hour, minute):
        return None
    return local.timestamp()  # fold=0: the first of two ambiguous instants

"""Kiln's cron engine: parse a cron expression, find its fire times, describe it in English.

Pure Python (no Django), so the scheduler, the API and the tests share one definition.

Syntax: 5 fields (minute hour day-of-month month day-of-week) or 6 fields (second first).
A field is `*`, a number, a range `a-b`, a step `*/n`, `a-b/n` or `a/n` (from a to the
field's maximum), or a comma-separated list of these. Months take JAN-DEC and weekdays SUN-SAT
(any case); day of week 0 and 7 are both Sunday. `?` means `*` in the two day fields. Day of
month accepts `L` (the last day of the month); day of week accepts `FRI#2` (the second Friday
of the month, #1-#5) and `FRIL` or `5L` (the last Friday of the month). Aliases: @yearly,
@annually, @monthly, @weekly, @daily, @midnight and @hourly (5-field expressions).
As in Vixie/Debian cron, if the day-of-month or the day-of-week field starts with `*` (or `?`)
a day must match both fields, otherwise it may match either.

Time zones and daylight saving time:

- A 5-field expression whose minute and hour fields are both fixed (neither starts with `*`),
  such as `30 2 * * *` or `0 9-17 * * 1-5`, runs by the wall clock. Kiln works out the local
  date and time it should fire and then finds when that happens. If the clock skips that time
  (spring forward), the job runs at the first minute that exists after the skipped stretch:
  02:30 on a night that jumps from 02:00 to 03:00 runs at 03:00. If the clock shows that time
  twice (fall back), the job runs once, the first time.
- Every other expression (6 fields, or a minute or hour field starting with `*`, such as
  `*/15 * * * *` or `0 * * * *`) runs by real elapsed time: each real moment whose local
  time matches fires. `*/15 * * * *` keeps firing every 15 minutes through both changes; in
  the hour that the clock repeats, the repeated times fire twice (once per real occurrence),
  and times the clock skips never fire.
- In UTC, or any zone without daylight saving time, the two rules give the same result.

Fire times are whole seconds, strictly after the given moment, returned in UTC. A search gives
up (returns None) after 50 years.

For developers: fire times are those of the `cronsim` library (the tests compare the two), with
two deliberate differences. A start inside a repeated hour never gets a fire time at or before
it (cronsim can return the first pass of that hour). And in zones whose clocks move by less than
an hour (Australia/Lord_Howe), real-time expressions fire at every matching moment, where
cronsim steps whole hours from the top of the hour, lands on :30 and skips some.
"""

from __future__ import annotations

import calendar
import math
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import MAXYEAR, UTC, datetime, timedelta, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

MAX_LENGTH = 200
SEARCH_YEARS = 50

ALIASES = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}
MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
WEEKDAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
WEEKDAY_NAMES = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
MONTH_LENGTHS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)  # the longest each month gets

_ONE_SECOND = timedelta(seconds=1)
_DAY_SECONDS = 86400
# Searches stop a year short of datetime's last year, so stepping past a candidate never overflows.
_LAST_SEARCH_YEAR = MAXYEAR - 1


class CronError(ValueError):
    """A bad expression; str(exc) says what is wrong and where."""

    field: str | None  # "second", "minute", "hour", "day of month", "month", "day of week" or None

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class _Field:
    name: str
    low: int
    high: int
    names: tuple[str, ...] = ()  # names[i] stands for low + i

    @property
    def is_day(self) -> bool:
        return self.name in ("day of month", "day of week")


_SECOND = _Field("second", 0, 59)
_MINUTE = _Field("minute", 0, 59)
_HOUR = _Field("hour", 0, 23)
_DAY_OF_MONTH = _Field("day of month", 1, 31)
_MONTH = _Field("month", 1, 12, MONTHS)
_DAY_OF_WEEK = _Field("day of week", 0, 7, WEEKDAYS)  # 7 is Sunday again


@dataclass
class _Parsed:
    values: set[int] = field(default_factory=set)
    last_day: bool = False  # L in day of month
    nth_weekdays: set[tuple[int, int]] = field(default_factory=set)  # (weekday, n) from FRI#2
    last_weekdays: set[int] = field(default_factory=set)  # from FRIL


class _FieldParser:
    """Parses one field's text; every error names the field and quotes its text."""

    def __init__(self, spec: _Field, text: str) -> None:
        self.spec = spec
        self.text = text

    def error(self, detail: str) -> CronError:
        return CronError(f"{self.spec.name} field '{self.text}': {detail}", field=self.spec.name)

    def parse(self) -> _Parsed:
        parsed = _Parsed()
        for item in self.text.split(","):
            self._item(item, parsed)
        return parsed

    def _item(self, item: str, parsed: _Parsed) -> None:
        spec = self.spec
        if item == "":
            raise self.error("empty item in list")
        if "#" in item and spec is not _DAY_OF_WEEK:
            raise self.error("'#' is only allowed in day of week")
        if "?" in item and not spec.is_day:
            raise self.error("'?' is only allowed in day of month and day of week")
        if "/" in item:
            base, step_text = item.split("/", 1)
            step = self._step(step_text)
            if base in ("*", "?"):
                start, end = spec.low, spec.high
            elif "-" in base:
                start, end = self._range(base)
            elif base == "":
                raise self.error(f"'{item}' has nothing before the '/'")
            else:
                start, end = self._value(base), spec.high
            parsed.values.update(range(start, end + 1, step))
        elif item.upper() == "L" and spec is _DAY_OF_MONTH:
            parsed.last_day = True
        elif "#" in item:
            weekday_text, nth_text = item.split("#", 1)
            if not (nth_text.isascii() and nth_text.isdigit() and 1 <= int(nth_text) <= 5):
                raise self.error(f"'#{nth_text}' must be #1 to #5")
            parsed.nth_weekdays.add((self._value(weekday_text) % 7, int(nth_text)))
        elif item.upper().endswith("L") and len(item) > 1 and spec is _DAY_OF_WEEK:
            parsed.last_weekdays.add(self._value(item[:-1]) % 7)
        elif item in ("*", "?"):
            parsed.values.update(range(spec.low, spec.high + 1))
        elif "-" in item:
            start, end = self._range(item)
            parsed.values.update(range(start, end + 1))
        else:
            parsed.values.add(self._value(item))

    def _step(self, text: str) -> int:
        span = self.spec.high - self.spec.low + 1
        if text.startswith("-") and _is_number(text[1:]):
            raise self.error(f"step {text} must be at least 1")
        if not _is_number(text):
            raise self.error(f"step '{text}' is not a number")
        step = int(text)
        if step == 0:
            raise self.error("step 0 must be at least 1")
        if step > span:
            raise self.error(f"step {step} is out of range 1-{span}")
        return step

    def _range(self, text: str) -> tuple[int, int]:
        start_text, end_text = text.split("-", 1)
        if start_text == "" and _is_number(end_text):  # a negative number
            raise self.error(f"{text} is out of range {self.spec.low}-{self.spec.high}")
        if start_text == "" or end_text == "":
            raise self.error(f"range '{text}' needs a start and an end")
        start, end = self._value(start_text), self._value(end_text)
        if start > end:
            raise self.error(f"range {text} is reversed (ranges can't wrap around)")
        return start, end

    def _value(self, text: str) -> int:
        spec = self.spec
        if _is_number(text):
            value = int(text)
            if not spec.low <= value <= spec.high:
                raise self.error(f"{value} is out of range {spec.low}-{spec.high}")
            return value
        if text.upper() in spec.names:
            return spec.low + spec.names.index(text.upper())
        if spec.names and text.isalpha():
            kind = "month" if spec is _MONTH else "weekday"
            raise self.error(f"unknown {kind} name '{text}'")
        if text == "":
            raise self.error("a value is missing")
        raise self.error(f"'{text}' is not a number")


def _is_number(text: str) -> bool:
    # str.isdigit alone accepts "²" and other digits int() refuses.
    return text.isascii() and text.isdigit()


@dataclass(frozen=True)
class DayRule:
    """Which days of a month fire: the day-of-month and day-of-week fields and how they combine."""

    days_of_month: frozenset[int]
    last_day_of_month: bool  # L
    weekdays: frozenset[int]  # 0 = Sunday ... 6 = Saturday
    nth_weekdays: frozenset[tuple[int, int]]  # (weekday, n): FRI#2 is (5, 2)
    last_weekdays: frozenset[int]  # FRIL is 5
    both: bool  # a day must match both fields (one of them starts with * or ?), else either

    def days_in(self, year: int, month: int) -> tuple[int, ...]:
        monday_first, length = calendar.monthrange(year, month)
        return _matching_days(self, length, (monday_first + 1) % 7)


# Keyed by a month's shape rather than by the month: only 4 lengths x 7 first weekdays exist.
@lru_cache(maxsize=4096)
def _matching_days(rule: DayRule, length: int, first_weekday: int) -> tuple[int, ...]:
    days = []
    for day in range(1, length + 1):
        weekday = (first_weekday + day - 1) % 7
        by_month = day in rule.days_of_month or (rule.last_day_of_month and day == length)
        by_week = (
            weekday in rule.weekdays
            or (weekday, (day + 6) // 7) in rule.nth_weekdays
            or (weekday in rule.last_weekdays and day + 7 > length)
        )
        if (by_month and by_week) if rule.both else (by_month or by_week):
            days.append(day)
    return tuple(days)


@dataclass(frozen=True)
class Cron:
    """A parsed cron expression. Build it with Cron.parse(); the module docstring has the rules."""

    expression: str  # as given, stripped
    has_seconds: bool  # 6 fields
    seconds: tuple[int, ...]  # every tuple is sorted; 5-field expressions fire at second 0
    minutes: tuple[int, ...]
    hours: tuple[int, ...]
    days: DayRule
    months: tuple[int, ...]
    wall_clock: bool  # fires by the local wall clock rather than by real time (see the docstring)

    @staticmethod
    def parse(expression: str) -> Cron:
        text = expression.strip()
        if len(text) > MAX_LENGTH:
            raise CronError(f"expression is too long ({len(text)} characters, at most {MAX_LENGTH})")
        if not text:
            raise CronError("empty expression")
        if text.startswith("@"):
            if text.lower() not in ALIASES:
                raise CronError(f"unknown alias '{text}' (use one of {', '.join(ALIASES)})")
            parts = ALIASES[text.lower()].split()
        else:
            parts = text.split()
            if len(parts) not in (5, 6):
                raise CronError(f"expected 5 or 6 fields (or @hourly, @daily, ...), got {len(parts)}")
        has_seconds = len(parts) == 6
        if not has_seconds:
            parts.insert(0, "0")
        specs = (_SECOND, _MINUTE, _HOUR, _DAY_OF_MONTH, _MONTH, _DAY_OF_WEEK)
        second, minute, hour, dom, month, dow = (
            _FieldParser(spec, part).parse() for spec, part in zip(specs, parts, strict=True)
        )
        days = DayRule(
            days_of_month=frozenset(dom.values),
            last_day_of_month=dom.last_day,
            weekdays=frozenset(value % 7 for value in dow.values),
            nth_weekdays=frozenset(dow.nth_weekdays),
            last_weekdays=frozenset(dow.last_weekdays),
            both=parts[3].startswith(("*", "?")) or parts[5].startswith(("*", "?")),
        )
        months = tuple(sorted(month.values))
        _check_it_fires(days, months, parts[3], parts[4], parts[5])
        return Cron(
            expression=text,
            has_seconds=has_seconds,
            seconds=tuple(sorted(second.values)),
            minutes=tuple(sorted(minute.values)),
            hours=tuple(sorted(hour.values)),
            days=days,
            months=months,
            # Debian cron's rule: only jobs at a fixed hour and minute follow the wall clock.
            wall_clock=not has_seconds and not parts[1].startswith("*") and not parts[2].startswith("*"),
        )

    def next_after(self, after: datetime, tz: ZoneInfo) -> datetime | None:
        """The first fire time strictly after `after` (aware, any zone), in UTC; None if none in 50 years."""
        if after.utcoffset() is None:
            raise ValueError("after must be an aware datetime")
        if after.astimezone(UTC).year >= _LAST_SEARCH_YEAR:
            return None
        fire = self._next_by_wall_clock(after, tz) if self.wall_clock else self._next_by_real_time(after, tz)
        return None if fire is None else datetime.fromtimestamp(fire, UTC)

    def iter_after(self, after: datetime, tz: ZoneInfo) -> Iterator[datetime]:
        """Successive fire times after `after`, in UTC."""
        current = after
        while (fire := self.next_after(current, tz)) is not None:
            yield fire
            current = fire

    def describe(self) -> str:
        """The expression in English, e.g. "At 09:30 on Monday through Friday"."""
        from .cron_describe import describe  # the words live apart from the engine

        return describe(self)

    def _next_wall(self, start: datetime, last_year: int) -> datetime | None:
        """The first naive wall time at or after `start` that every field allows, up to `last_year`.

        Jumps field by field; a field that runs out carries into the next larger one
        (minute 60 becomes the next hour, day 32 the next month, month 13 the next year).
        """
        year, month, day = start.year, start.month, start.day
        hour, minute, second = start.hour, start.minute, start.second
        while year <= last_year:
            found = _first_at_least(self.months, month)
            if found is None:
                year, month, day, hour, minute, second = year + 1, 1, 1, 0, 0, 0
                continue
            if found != month:
                month, day, hour, minute, second = found, 1, 0, 0, 0
            found = _first_at_least(self.days.days_in(year, month), day)
            if found is None:
                month, day, hour, minute, second = month + 1, 1, 0, 0, 0
                continue
            if found != day:
                day, hour, minute, second = found, 0, 0, 0
            found = _first_at_least(self.hours, hour)
            if found is None:
                day, hour, minute, second = day + 1, 0, 0, 0
                continue
            if found != hour:
                hour, minute, second = found, 0, 0
            found = _first_at_least(self.minutes, minute)
            if found is None:
                hour, minute, second = hour + 1, 0, 0
                continue
            if found != minute:
                minute, second = found, 0
            found = _first_at_least(self.seconds, second)
            if found is None:
                minute, second = minute + 1, 0
                continue
            return datetime(year, month, day, hour, minute, found)
        return None

    def _next_by_wall_clock(self, after: datetime, tz: tzinfo) -> int | None:
        wall = after.astimezone(tz).replace(tzinfo=None, microsecond=0)
        last_year = min((wall + _ONE_SECOND).year + SEARCH_YEARS, _LAST_SEARCH_YEAR)
        while (target := self._next_wall(wall + _ONE_SECOND, last_year)) is not None:
            fire = _instant(target, tz, fold=0)  # fold=0: a repeated wall time fires the first time
            if _wall(fire, tz) != target:
                # Spring forward skipped `target`: fire at the first whole minute after the gap.
                gap_end = _wall(_first_change(_instant(target, tz, fold=1), fire, tz), tz)
                target += timedelta(minutes=math.ceil((gap_end - target) / timedelta(minutes=1)))
                fire = _instant(target, tz, fold=0)
            if fire > after.timestamp():
                return fire
            # `after` is in the second pass of a repeated hour and `target` fired in the first
            # pass; cronsim would return that earlier time, we look for the next one.
            wall = target
        return None

    def _next_by_real_time(self, after: datetime, tz: tzinfo) -> int | None:
        now = (after - _EPOCH) // _ONE_SECOND + 1  # whole seconds, strictly after
        last_year = min(datetime.fromtimestamp(now, tz).year + SEARCH_YEARS, _LAST_SEARCH_YEAR)
        # Invariant: no real second in [first second searched, now) has a matching wall time.
        # Jumps assume a zone's UTC offset changes at most once within any 24 hours.
        while True:
            local = datetime.fromtimestamp(now, tz)
            wall, offset = local.replace(tzinfo=None), local.utcoffset()
            target = self._next_wall(wall, last_year)
            if target is None:
                return None
            if target == wall:
                return now
            ahead = (target - wall) // _ONE_SECOND
            if ahead <= _DAY_SECONDS:
                # Same offset at both ends: the clock ran straight from `wall` to `target`.
                if _offset(now + ahead, tz) == offset:
                    return now + ahead
                now = _first_change(now, now + ahead, tz)
                continue
            horizon = now + _DAY_SECONDS
            if _offset(horizon, tz) != offset:
                # A change today may repeat wall times before `wall`; walk into it.
                now = _first_change(now, horizon, tz)
                continue
            # From `horizon` on, every wall time lies between `wall` and `target` until the clock
            # first reaches `target`, which is fold=0's instant if `target` exists at all.
            fire = _instant(target, tz, fold=0)
            if _wall(fire, tz) == target:
                return fire
            now = max(horizon, _instant(target, tz, fold=1))  # just before the skipped stretch


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _first_at_least(values: tuple[int, ...], value: int) -> int | None:
    index = bisect_left(values, value)
    return values[index] if index < len(values) else None


def _wall(timestamp: int, tz: tzinfo) -> datetime:
    return datetime.fromtimestamp(timestamp, tz).replace(tzinfo=None)


def _offset(timestamp: int, tz: tzinfo) -> timedelta | None:
    return datetime.fromtimestamp(timestamp, tz).utcoffset()


def _instant(wall: datetime, tz: tzinfo, fold: int) -> int:
    return (wall.replace(tzinfo=tz, fold=fold) - _EPOCH) // _ONE_SECOND


def _first_change(low: int, high: int, tz: tzinfo) -> int:
    """The first second in (low, high] whose UTC offset differs from low's; high's must differ."""
    offset = _offset(low, tz)
    while high - low > 1:
        middle = (low + high) // 2
        if _offset(middle, tz) == offset:
            low = middle
        else:
            high = middle
    return high


def _check_it_fires(days: DayRule, months: tuple[int, ...], dom: str, month: str, dow: str) -> None:
    # A month's matching days depend only on its length and first weekday, and every
    # combination of the two occurs in the Gregorian calendar, so this check is exact.
    for number in months:
        lengths = (28, 29) if number == 2 else (MONTH_LENGTHS[number - 1],)
        if any(_matching_days(days, length, first) for length in lengths for first in range(7)):
            return
    plain_days = days.both and days.weekdays == frozenset(range(7)) and not days.last_day_of_month
    if plain_days and not days.nth_weekdays and not days.last_weekdays:
        names = [MONTH_NAMES[number - 1] for number in months]
        verb = "has" if len(names) == 1 else "have"
        message = f"never fires: {join_words(names)} {verb} no day {min(days.days_of_month)}"
    else:
        message = (
            f"never fires: no day in month '{month}' matches day of month '{dom}' and day of week '{dow}'"
        )
    raise CronError(message, field="day of month")


def parse_timezone(name: str) -> ZoneInfo:
    """The IANA time zone `name` (e.g. "Europe/Paris"); CronError if there is no such zone."""
    if not name or ".." in name:
        raise CronError(f"unknown time zone '{name}'")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:  # ValueError: not a TZif file, a bad path
        raise CronError(f"unknown time zone '{name}'") from exc


def join_words(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]

"""Kiln's cron engine against two reference libraries, plus its documented DST behaviour,
its parser errors and its English descriptions."""

from __future__ import annotations

import itertools
import re
import time
from datetime import UTC, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import pytest
from croniter import croniter
from cronsim import CronSim
from hypothesis import given, settings
from hypothesis import strategies as st

from kiln.schedules.cron import Cron, CronError, parse_timezone

UTC_ZONE = ZoneInfo("UTC")
PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")  # clocks move by 30 minutes
KOLKATA = ZoneInfo("Asia/Kolkata")  # +05:30, no DST
ZONES = (UTC_ZONE, PARIS, NEW_YORK, LORD_HOWE, KOLKATA)
DST_ZONES = (PARIS, NEW_YORK, LORD_HOWE)
# cronsim's real-time search steps whole real hours from the top of an hour, so after a
# 30-minute change it lands on :30 and skips matching times; there we follow the definition.
HALF_HOUR_DST = {"Australia/Lord_Howe"}

MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
WEEKDAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
FIRES = 20

PROPERTY = settings(max_examples=300, deadline=None, derandomize=True)


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, micro: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, micro, tzinfo=UTC)


# Expressions ------------------------------------------------------------------------------------


@st.composite
def _value(draw: st.DrawFn, low: int, high: int, names: tuple[str, ...], field_low: int) -> str:
    number = draw(st.integers(low, high))
    if number - field_low < len(names) and draw(st.booleans()):
        return draw(st.sampled_from([str.upper, str.lower, str.title]))(names[number - field_low])
    return str(number)


@st.composite
def _item(
    draw: st.DrawFn,
    low: int,
    high: int,
    names: tuple[str, ...] = (),
    start_steps: bool = True,
    one_value_ranges: bool = True,
) -> str:
    kinds = ["*", "value", "value", "range", "star step", "range step"] + (
        ["start step"] if start_steps else []
    )
    kind = draw(st.sampled_from(kinds))
    if kind == "*":
        return "*"
    start = draw(st.integers(low, high))
    start_text = draw(_value(start, start, names, low))
    step = draw(st.one_of(st.integers(1, 6), st.integers(1, high - low + 1)))
    if kind == "value":
        return start_text
    if kind == "star step":
        return f"*/{step}"
    if kind == "start step":
        return f"{start_text}/{step}"
    if start == high and not one_value_ranges:
        return start_text
    end_text = draw(_value(start if one_value_ranges else start + 1, high, names, low))
    return f"{start_text}-{end_text}" + (f"/{step}" if kind == "range step" else "")


def _field(
    low: int,
    high: int,
    names: tuple[str, ...] = (),
    extras: st.SearchStrategy[str] | None = None,
    start_steps: bool = True,
    one_value_ranges: bool = True,
) -> st.SearchStrategy[str]:
    item = _item(low, high, names, start_steps, one_value_ranges)
    items = item if extras is None else st.one_of(item, extras)
    return st.lists(items, min_size=1, max_size=3).map(",".join)


_weekday = st.integers(0, 7).flatmap(lambda day: _value(day, day, WEEKDAYS, 0))
_nth_weekday = st.builds("{}#{}".format, _weekday, st.integers(1, 5))
_last_weekday = st.builds("{}L".format, _weekday)


@st.composite
def expressions(draw: st.DrawFn) -> str:
    """Expressions of every shape (a few never fire); fixed minutes and hours are common."""
    minute = draw(st.one_of(st.integers(0, 59).map(str), _field(0, 59)))
    hour = draw(st.one_of(st.integers(0, 23).map(str), _field(0, 23)))
    dom = draw(st.one_of(st.sampled_from(["*", "?"]), _field(1, 31, extras=st.just("L"))))
    month = draw(st.one_of(st.just("*"), _field(1, 12, MONTHS)))
    dow_extras = st.one_of(_nth_weekday, _last_weekday)
    dow = draw(st.one_of(st.sampled_from(["*", "?"]), _field(0, 7, WEEKDAYS, dow_extras)))
    seconds = draw(st.one_of(st.just([]), _field(0, 59).map(lambda field: [field])))
    return " ".join([*seconds, minute, hour, dom, month, dow])


def cronsim_spelling(expression: str) -> str:
    """cronsim has no `?` and spells the last weekday only with a number (5L, not FRIL)."""
    fields = expression.split()
    fields[-3] = fields[-3].replace("?", "*")
    weekdays = [
        re.sub(r"^([A-Za-z]{3})L$", lambda m: f"{WEEKDAYS.index(m[1].upper())}L", item)
        for item in fields[-1].split(",")
    ]
    fields[-1] = ",".join(weekdays).replace("?", "*")
    return " ".join(fields)


# References -------------------------------------------------------------------------------------


def ours(expression: str, after: datetime, tz: ZoneInfo, count: int = FIRES) -> list[datetime]:
    return list(itertools.islice(Cron.parse(expression).iter_after(after, tz), count))


def by_cronsim(expression: str, after: datetime, tz: ZoneInfo, count: int = FIRES) -> list[datetime]:
    times = CronSim(cronsim_spelling(expression), after.astimezone(tz))
    return [moment.astimezone(UTC) for moment in itertools.islice(times, count)]


def by_definition(expression: str, after: datetime, tz: ZoneInfo, count: int = FIRES) -> list[datetime]:
    """The real-time rule, by brute force: every real moment whose local time the expression lists.

    cronsim without a zone lists the wall times; each becomes the 0, 1 or 2 real moments that show it.
    """
    wall_times = CronSim(
        cronsim_spelling(expression), after.astimezone(tz).replace(tzinfo=None) - timedelta(hours=3)
    )
    found: set[datetime] = set()
    for wall in wall_times:
        for fold in (0, 1):
            moment = wall.replace(tzinfo=tz, fold=fold)
            if moment.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == wall and moment > after:
                found.add(moment.astimezone(UTC))
        # Wall times 3 hours past the last one kept can only show later moments.
        if len(found) >= count and wall - timedelta(hours=3) > wall_of(sorted(found)[count - 1], tz):
            break
    return sorted(found)[:count]


def wall_of(moment: datetime, tz: ZoneInfo) -> datetime:
    return moment.astimezone(tz).replace(tzinfo=None)


def assert_agrees_with_cronsim(expression: str, after: datetime, tz: ZoneInfo) -> None:
    try:
        cron = Cron.parse(expression)
    except CronError as error:
        assert "never fires" in str(error), expression
        assert by_cronsim(expression, after, tz, 1) == []  # cronsim gives up after 50 years
        return
    got = ours(expression, after, tz)
    for earlier, later in itertools.pairwise([after, *got]):
        assert later > earlier and later.microsecond == 0 and later.tzinfo is UTC
    # cronsim can return a time at or before `after` (see test_a_start_in_the_repeated_hour_...).
    expected = [moment for moment in by_cronsim(expression, after, tz, FIRES + 1) if moment > after][:FIRES]
    if got != expected:
        assert tz.key in HALF_HOUR_DST and not cron.wall_clock, (expression, tz, after, got, expected)
        assert got == by_definition(expression, after, tz)


@cache
def dst_changes(tz: ZoneInfo) -> list[datetime]:
    """Every UTC offset change of `tz` from 2000 to 2040, to the second."""
    changes = []
    day = utc(2000, 1, 1)
    while day < utc(2040, 1, 1):
        low, high = day, day + timedelta(days=1)
        if low.astimezone(tz).utcoffset() != high.astimezone(tz).utcoffset():
            while high - low > timedelta(seconds=1):
                middle = low + timedelta(seconds=(high - low).total_seconds() // 2)
                same = middle.astimezone(tz).utcoffset() == low.astimezone(tz).utcoffset()
                low, high = (middle, high) if same else (low, middle)
            changes.append(high)
        day += timedelta(days=1)
    return changes


starts = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2040, 1, 1), timezones=st.just(UTC))


@st.composite
def starts_near_a_dst_change(draw: st.DrawFn) -> tuple[datetime, ZoneInfo]:
    tz = draw(st.sampled_from(DST_ZONES))
    change = draw(st.sampled_from(dst_changes(tz)))
    lead = draw(st.one_of(st.integers(-600, 60), st.integers(-3 * 86400, 3600)))
    return change + timedelta(seconds=lead, microseconds=draw(st.integers(0, 999_999))), tz


# Property tests ---------------------------------------------------------------------------------


@PROPERTY
@given(expression=expressions(), after=starts, tz=st.sampled_from(ZONES))
def test_it_fires_when_cronsim_does_and_each_time_is_later_than_the_last(
    expression: str, after: datetime, tz: ZoneInfo
) -> None:
    assert_agrees_with_cronsim(expression, after, tz)


@PROPERTY
@given(expression=expressions(), start=starts_near_a_dst_change())
def test_it_fires_when_cronsim_does_around_dst_changes(
    expression: str, start: tuple[datetime, ZoneInfo]
) -> None:
    assert_agrees_with_cronsim(expression, *start)


@st.composite
def croniter_expressions(draw: st.DrawFn) -> str:
    """croniter reads `1/2` in day of week as 1-6/2, ORs `*/2` with a weekday and takes `21-21`
    for `*`; avoid all three."""
    minute = draw(_field(0, 59, one_value_ranges=False))
    hour = draw(_field(0, 23, one_value_ranges=False))
    month = draw(st.one_of(st.just("*"), _field(1, 12, MONTHS, one_value_ranges=False)))
    restricted = draw(st.sampled_from(["neither", "day of month", "day of week"]))
    dom = draw(_field(1, 31, one_value_ranges=False)) if restricted == "day of month" else "*"
    dow = "*"
    if restricted == "day of week":
        dow = draw(_field(0, 7, WEEKDAYS, start_steps=False, one_value_ranges=False))
    return f"{minute} {hour} {dom} {month} {dow}"


@PROPERTY
@given(expression=croniter_expressions(), after=starts)
def test_it_fires_when_croniter_does_in_utc(expression: str, after: datetime) -> None:
    try:
        got = ours(expression, after, UTC_ZONE)
    except CronError as error:
        assert "never fires" in str(error)
        return
    times = croniter(expression, after)
    assert got == [times.get_next(datetime) for _ in got]


TRANSITIONS_2026 = [
    pytest.param(PARIS, utc(2026, 3, 29, 1), id="paris-spring"),
    pytest.param(PARIS, utc(2026, 10, 25, 1), id="paris-fall"),
    pytest.param(NEW_YORK, utc(2026, 3, 8, 7), id="new-york-spring"),
    pytest.param(NEW_YORK, utc(2026, 11, 1, 6), id="new-york-fall"),
]
AROUND_DST = [
    "30 2 * * *",
    "0 2 * * *",
    "30 1 * * *",
    "0,30 1-3 * * *",
    "0 0 * * *",
    "*/15 * * * *",
    "0 * * * *",
    "30 * * * *",
    "* 2 * * *",
    "*/20 1,2 * * *",
    "0 */2 * * *",
    "0 30 1,2 * * *",
    "*/10 * * * * *",
    "0 0 * * SUN",
    "15 2 * MAR,OCT,NOV SUN#2,SUNL",
]


@pytest.mark.parametrize("tz, change", TRANSITIONS_2026)
@pytest.mark.parametrize("expression", AROUND_DST)
@pytest.mark.parametrize(
    "lead", [timedelta(seconds=30), timedelta(minutes=50), timedelta(hours=4), timedelta(days=2)]
)
def test_it_matches_cronsim_across_the_2026_dst_changes(
    tz: ZoneInfo, change: datetime, expression: str, lead: timedelta
) -> None:
    after = change - lead
    assert ours(expression, after, tz) == by_cronsim(expression, after, tz)


# DST behaviour, spelled out ---------------------------------------------------------------------


def local_times(expression: str, after: datetime, tz: ZoneInfo, count: int) -> list[str]:
    return [moment.astimezone(tz).isoformat() for moment in ours(expression, after, tz, count)]


def test_a_wall_time_skipped_by_spring_forward_fires_when_the_clock_resumes() -> None:
    fires = ours("30 2 * * *", utc(2026, 3, 28, 12), PARIS, 2)
    assert fires == [utc(2026, 3, 29, 1), utc(2026, 3, 30, 0, 30)]  # 03:00 CEST, then 02:30 CEST
    assert local_times("30 2 * * *", utc(2026, 3, 28, 12), PARIS, 1) == ["2026-03-29T03:00:00+02:00"]


def test_a_wall_time_repeated_by_fall_back_fires_once_the_first_time() -> None:
    assert local_times("30 2 * * *", utc(2026, 10, 24, 12), PARIS, 2) == [
        "2026-10-25T02:30:00+02:00",
        "2026-10-26T02:30:00+01:00",
    ]
    assert local_times("30 1 * * *", utc(2026, 10, 31, 12), NEW_YORK, 2) == [
        "2026-11-01T01:30:00-04:00",
        "2026-11-02T01:30:00-05:00",
    ]


def test_an_hourly_job_fires_every_real_hour_so_the_repeated_hour_fires_twice() -> None:
    assert local_times("0 * * * *", utc(2026, 10, 24, 22, 30), PARIS, 4) == [
        "2026-10-25T01:00:00+02:00",
        "2026-10-25T02:00:00+02:00",
        "2026-10-25T02:00:00+01:00",
        "2026-10-25T03:00:00+01:00",
    ]


def test_an_hourly_job_skips_the_hour_the_clock_skips() -> None:
    assert local_times("0 * * * *", utc(2026, 3, 29, 0, 30), PARIS, 2) == [
        "2026-03-29T03:00:00+02:00",
        "2026-03-29T04:00:00+02:00",
    ]


@pytest.mark.parametrize("change", [utc(2026, 3, 8, 7), utc(2026, 11, 1, 6)])
def test_every_15_minutes_means_every_15_real_minutes_through_a_change(change: datetime) -> None:
    fires = ours("*/15 * * * *", change - timedelta(hours=2), NEW_YORK, 16)
    assert all(later - earlier == timedelta(minutes=15) for earlier, later in itertools.pairwise(fires))


@pytest.mark.parametrize("tz", DST_ZONES)
def test_every_second_yields_each_real_second_once_through_every_change(tz: ZoneInfo) -> None:
    for change in [moment for moment in dst_changes(tz) if moment.year == 2026]:
        fires = ours("* * * * * *", change - timedelta(seconds=90), tz, 180)
        assert fires == [change - timedelta(seconds=89 - n) for n in range(180)]


def test_a_start_in_the_repeated_hour_never_gets_an_earlier_time_unlike_cronsim() -> None:
    after = utc(2026, 10, 25, 1, 15)  # 02:15 CET, the second 02:15 of the night
    assert by_cronsim("30 2 * * *", after, PARIS, 1) == [utc(2026, 10, 25, 0, 30)]  # before `after`
    assert ours("30 2 * * *", after, PARIS, 1) == [utc(2026, 10, 26, 1, 30)]


def test_after_a_half_hour_change_every_matching_moment_fires_unlike_cronsim() -> None:
    after = utc(2026, 10, 3, 14, 40)  # 01:10 on the night Lord Howe jumps from 02:00 to 02:30
    assert local_times("* 3 * * *", after, LORD_HOWE, 1) == ["2026-10-04T03:00:00+11:00"]
    assert by_cronsim("* 3 * * *", after, LORD_HOWE, 1)[0].astimezone(LORD_HOWE).minute == 30
    assert ours("* 3 * * *", after, LORD_HOWE) == by_definition("* 3 * * *", after, LORD_HOWE)


def test_in_utc_a_fixed_time_is_just_that_time() -> None:
    assert ours("30 2 * * *", utc(2026, 3, 28, 12), UTC_ZONE, 2) == [
        utc(2026, 3, 29, 2, 30),
        utc(2026, 3, 30, 2, 30),
    ]


def test_the_start_may_be_in_any_zone_and_fire_times_are_utc() -> None:
    cron = Cron.parse("0 9 * * *")
    in_tokyo = utc(2026, 6, 1, 3).astimezone(ZoneInfo("Asia/Tokyo"))
    assert (
        cron.next_after(in_tokyo, PARIS) == cron.next_after(utc(2026, 6, 1, 3), PARIS) == utc(2026, 6, 1, 7)
    )


def test_fire_times_are_strictly_after_the_start() -> None:
    cron = Cron.parse("0 9 * * *")
    assert cron.next_after(utc(2026, 6, 1, 9), UTC_ZONE) == utc(2026, 6, 2, 9)
    assert cron.next_after(utc(2026, 6, 1, 8, 59, 59, 999_999), UTC_ZONE) == utc(2026, 6, 1, 9)


def test_a_naive_start_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        Cron.parse("* * * * *").next_after(datetime(2026, 1, 1), UTC_ZONE)


def test_the_search_stops_at_the_end_of_the_calendar() -> None:
    assert Cron.parse("0 0 1 1 *").next_after(utc(9999, 6, 1), PARIS) is None
    assert list(Cron.parse("0 0 * * * *").iter_after(utc(9999, 12, 31, 23), UTC_ZONE)) == []


@pytest.mark.parametrize(
    "expression",
    [
        "*/5 * * * *",
        "30 9 * * 1-5",
        "* * * * * *",
        "0 0 29 2 *",
        "0 0 * 2 MON#5",
        "0 */2 1 * *",
        "0 0 L * FRIL",
    ],
)
def test_next_after_takes_well_under_a_millisecond(expression: str) -> None:
    cron, after = Cron.parse(expression), utc(2026, 1, 15, 10, 7, 13)
    began = time.perf_counter()
    for tz in (UTC_ZONE, PARIS):
        for _ in range(100):
            cron.next_after(after, tz)
    assert (time.perf_counter() - began) / 200 < 0.001


# Syntax -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "expression, message, field",
    [
        ("61 * * * *", "minute field '61': 61 is out of range 0-59", "minute"),
        ("60 * * * * *", "second field '60': 60 is out of range 0-59", "second"),
        ("* 24 * * *", "hour field '24': 24 is out of range 0-23", "hour"),
        ("* * 0 * *", "day of month field '0': 0 is out of range 1-31", "day of month"),
        ("* * * 13 *", "month field '13': 13 is out of range 1-12", "month"),
        ("* * * * 8", "day of week field '8': 8 is out of range 0-7", "day of week"),
        ("5,-5 * * * *", "minute field '5,-5': -5 is out of range 0-59", "minute"),
        ("* * *", "expected 5 or 6 fields (or @hourly, @daily, ...), got 3", None),
        ("* * * * * * *", "expected 5 or 6 fields (or @hourly, @daily, ...), got 7", None),
        ("   ", "empty expression", None),
        ("0 " * 100 + "0", "expression is too long (201 characters, at most 200)", None),
        ("30-10 * * * *", "minute field '30-10': range 30-10 is reversed", "minute"),
        ("* * * * FRI-MON", "day of week field 'FRI-MON': range FRI-MON is reversed", "day of week"),
        ("5- * * * *", "minute field '5-': range '5-' needs a start and an end", "minute"),
        ("*/0 * * * *", "minute field '*/0': step 0 must be at least 1", "minute"),
        ("*/-5 * * * *", "minute field '*/-5': step -5 must be at least 1", "minute"),
        ("*/x * * * *", "minute field '*/x': step 'x' is not a number", "minute"),
        ("* */25 * * *", "hour field '*/25': step 25 is out of range 1-24", "hour"),
        ("/5 * * * *", "minute field '/5': '/5' has nothing before the '/'", "minute"),
        ("* * * FOO *", "month field 'FOO': unknown month name 'FOO'", "month"),
        ("* * * * Funday", "day of week field 'Funday': unknown weekday name 'Funday'", "day of week"),
        ("* * MON * *", "day of month field 'MON': 'MON' is not a number", "day of month"),
        ("1.5 * * * *", "minute field '1.5': '1.5' is not a number", "minute"),
        ("\u00b2 * * * *", "minute field '\u00b2': '\u00b2' is not a number", "minute"),
        ("1,,2 * * * *", "minute field '1,,2': empty item in list", "minute"),
        ("1, * * * *", "minute field '1,': empty item in list", "minute"),
        ("* * * * MON#6", "day of week field 'MON#6': '#6' must be #1 to #5", "day of week"),
        ("* * * * MON#", "day of week field 'MON#': '#' must be #1 to #5", "day of week"),
        ("1#2 * * * *", "minute field '1#2': '#' is only allowed in day of week", "minute"),
        ("* ? * * *", "hour field '?': '?' is only allowed in day of month and day of week", "hour"),
        ("* * LW * *", "day of month field 'LW': 'LW' is not a number", "day of month"),
        ("@fortnightly", "unknown alias '@fortnightly'", None),
        ("@reboot", "unknown alias '@reboot'", None),
        ("0 0 31 2 *", "never fires: February has no day 31", "day of month"),
        ("0 0 30 2 *", "never fires: February has no day 30", "day of month"),
        (
            "0 0 31 4,6,9,11 *",
            "never fires: April, June, September and November have no day 31",
            "day of month",
        ),
        ("0 0 */10 2 SUN#5", "never fires: no day in month '2' matches day of month '*/10'", "day of month"),
    ],
)
def test_a_bad_expression_says_what_is_wrong_and_where(
    expression: str, message: str, field: str | None
) -> None:
    with pytest.raises(CronError) as caught:
        Cron.parse(expression)
    assert message in str(caught.value)
    assert caught.value.field == field
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize("expression", ["0 0 */10 2 SUN#5", "0 0 */5 2 MON#5"])
def test_cronsim_agrees_that_an_expression_that_never_fires_never_fires(expression: str) -> None:
    with pytest.raises(CronError, match="never fires"):
        Cron.parse(expression)
    assert by_cronsim(expression, utc(2026, 1, 1), PARIS, 1) == []


def test_an_expression_may_be_200_characters_long() -> None:
    expression = "00" + ",0" * 95 + " * * * *"
    assert len(expression) == 200
    assert Cron.parse(expression).minutes == (0,)


@pytest.mark.parametrize(
    "alias, fields",
    [
        ("@yearly", "0 0 1 1 *"),
        ("@annually", "0 0 1 1 *"),
        ("@monthly", "0 0 1 * *"),
        ("@weekly", "0 0 * * 0"),
        ("@daily", "0 0 * * *"),
        ("@midnight", "0 0 * * *"),
        ("@hourly", "0 * * * *"),
        ("@DAILY", "0 0 * * *"),
    ],
)
def test_an_alias_is_its_five_fields(alias: str, fields: str) -> None:
    cron = Cron.parse(alias)
    assert cron.expression == alias and not cron.has_seconds
    assert same_schedule(cron, Cron.parse(fields))


def same_schedule(one: Cron, other: Cron) -> bool:
    def shape(cron: Cron) -> tuple[object, ...]:
        return (cron.seconds, cron.minutes, cron.hours, cron.days, cron.months, cron.wall_clock)

    return shape(one) == shape(other)


@pytest.mark.parametrize(
    "expression, same_as",
    [
        ("0 0 * jan,Jul mon-FRI", "0 0 * 1,7 1-5"),
        ("0 0 * * 7", "0 0 * * 0"),
        ("0 0 * * SUN,sat", "0 0 * * 0,6"),
        ("0 0 ? * MON", "0 0 * * MON"),
        ("0 0 1 * ?", "0 0 1 * *"),
        ("50/5 * * * *", "50,55 * * * *"),
        ("* * * * 1/2", "* * * * 1,3,5,0"),
        ("* * * * */2", "* * * * 0,2,4,6"),
        ("0 9-17/4 * * *", "0 9,13,17 * * *"),
        ("0 0 * * FRIL", "0 0 * * 5L"),
        ("0 0 * * fri#2", "0 0 * * 5#2"),
        ("0 0 * * 7#1", "0 0 * * 0#1"),
        ("  */5  *\t* * *  ", "*/5 * * * *"),
    ],
)
def test_equivalent_spellings_parse_the_same(expression: str, same_as: str) -> None:
    assert same_schedule(Cron.parse(expression), Cron.parse(same_as))


def test_the_parsed_cron_keeps_the_stripped_expression_and_its_field_count() -> None:
    cron = Cron.parse("  */10 * * * * *\n")
    assert cron.expression == "*/10 * * * * *"
    assert cron.has_seconds and cron.seconds == (0, 10, 20, 30, 40, 50)
    assert not Cron.parse("*/10 * * * *").has_seconds


def test_only_five_field_expressions_with_a_fixed_minute_and_hour_follow_the_wall_clock() -> None:
    assert Cron.parse("30 2 * * *").wall_clock
    assert Cron.parse("0,30 9-17/2 * * MON-FRI").wall_clock
    assert Cron.parse("@daily").wall_clock
    assert not Cron.parse("*/15 * * * *").wall_clock
    assert not Cron.parse("0 * * * *").wall_clock
    assert not Cron.parse("0 */2 * * *").wall_clock
    assert not Cron.parse("0 30 2 * * *").wall_clock


@pytest.mark.parametrize(
    "expression, after, fires",
    [
        ("0 0 L 2 *", utc(2024, 1, 1), [utc(2024, 2, 29), utc(2025, 2, 28)]),
        ("0 0 * * FRI#2", utc(2026, 1, 1), [utc(2026, 1, 9), utc(2026, 2, 13)]),
        ("0 0 * * FRIL", utc(2026, 1, 1), [utc(2026, 1, 30), utc(2026, 2, 27)]),
        ("0 0 1 * MON", utc(2026, 6, 1), [utc(2026, 6, 8), utc(2026, 6, 15)]),  # OR: day 1 or a Monday
        ("0 0 */2 * MON", utc(2026, 6, 1), [utc(2026, 6, 15), utc(2026, 6, 29)]),  # AND: odd day and Monday
        ("0 0 * 2 MON#5", utc(2016, 3, 1), [utc(2044, 2, 29)]),
        ("0 0 29 2 *", utc(2097, 1, 1), [utc(2104, 2, 29)]),
    ],
)
def test_day_rules_pick_the_right_days(expression: str, after: datetime, fires: list[datetime]) -> None:
    assert ours(expression, after, UTC_ZONE, len(fires)) == fires


@pytest.mark.parametrize(
    "expression, description",
    [
        ("* * * * *", "Every minute"),
        ("*/5 * * * *", "Every 5 minutes"),
        ("* * * * * *", "Every second"),
        ("*/10 * * * * *", "Every 10 seconds"),
        ("0 * * * *", "Every hour"),
        ("15 * * * *", "At minute 15 past every hour"),
        ("0 */2 * * *", "At minute 0 past every 2nd hour"),
        ("30 9 * * 1-5", "At 09:30 on Monday through Friday"),
        ("0 9,17 * * *", "At 09:00 and 17:00"),
        ("30 0 12 * * *", "At 12:00:30"),
        (
            "*/15 9-17 * * MON-FRI",
            "Every 15 minutes past every hour from 9 through 17 on Monday through Friday",
        ),
        ("0,15,45 * * * *", "At minutes 0, 15 and 45 past every hour"),
        ("@daily", "At 00:00"),
        ("@weekly", "At 00:00 on Sunday"),
        ("@monthly", "At 00:00 on day 1 of the month"),
        ("@yearly", "At 00:00 on January 1"),
        ("0 0 L * *", "At 00:00 on the last day of the month"),
        ("0 0 1,15 * *", "At 00:00 on days 1 and 15 of the month"),
        ("0 0 * * MON#2", "At 00:00 on the second Monday of the month"),
        ("0 18 * * FRIL", "At 18:00 on the last Friday of the month"),
        ("0 0 1 * MON", "At 00:00 on day 1 of the month and on Monday"),
        ("0 0 1 */3 *", "At 00:00 on day 1 of the month in every 3rd month"),
        ("0 12 * JAN,JUL *", "At 12:00 in January and July"),
        ("0 8 * * 0,6", "At 08:00 on Sunday and Saturday"),
    ],
)
def test_describe_reads_like_english(expression: str, description: str) -> None:
    assert Cron.parse(expression).describe() == description


# Time zones -------------------------------------------------------------------------------------


def test_a_time_zone_is_an_iana_name() -> None:
    assert parse_timezone("Europe/Paris") == PARIS
    assert parse_timezone("UTC") == UTC_ZONE


@pytest.mark.parametrize(
    "name",
    [
        "Mars/Base",
        "",
        "Europe",
        "utc",
        "../etc/passwd",
        "Europe/../UTC",
        "/etc/localtime",
        "zone.tab",
        "a\0b",
    ],
)
def test_an_unknown_time_zone_is_a_cron_error_without_a_field(name: str) -> None:
    with pytest.raises(CronError) as caught:
        parse_timezone(name)
    assert str(caught.value) == f"unknown time zone '{name}'"
    assert caught.value.field is None

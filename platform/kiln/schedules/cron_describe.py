"""Cron expressions in English, for the schedule preview: "At 09:30 on Monday through Friday"."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from .cron import MONTH_NAMES, WEEKDAY_NAMES, DayRule
from .cron import join_words as _join

if TYPE_CHECKING:
    from .cron import Cron


def describe(cron: Cron) -> str:
    return _describe_time(cron) + _describe_days(cron)


_NTH = ("", "first", "second", "third", "fourth", "fifth")


def _describe_time(cron: Cron) -> str:
    if len(cron.seconds) == 1 and len(cron.minutes) * len(cron.hours) <= 4:
        second = f":{cron.seconds[0]:02d}" if cron.seconds != (0,) else ""
        return "At " + _join([f"{h:02d}:{m:02d}{second}" for h in cron.hours for m in cron.minutes])
    every_minute, every_hour = cron.minutes == tuple(range(60)), cron.hours == tuple(range(24))
    if cron.seconds == (0,):
        if cron.minutes == (0,) and every_hour:
            return "Every hour"
        sentence = _time_unit(cron.minutes, "minute", 0, 59)[0]
    else:
        sentence, _ = _time_unit(cron.seconds, "second", 0, 59)
        if not every_minute:
            sentence += " past " + _time_unit(cron.minutes, "minute", 0, 59)[1]
        elif not sentence.startswith("Every"):
            sentence += " past every minute"
    if not every_hour:
        sentence += " past " + _time_unit(cron.hours, "hour", 0, 23)[1]
    elif not every_minute and not sentence.startswith("Every"):
        sentence += " past every hour"
    return sentence


def _time_unit(values: tuple[int, ...], unit: str, low: int, high: int) -> tuple[str, str]:
    """How a second, minute or hour field reads at the start of a sentence and after "past"."""
    if values == tuple(range(low, high + 1)):
        return f"Every {unit}", f"every {unit}"
    if len(values) == 1:
        return f"At {unit} {values[0]}", f"{unit} {values[0]}"
    step = _step_of(values)
    if step and values[0] == low and values[-1] + step > high:
        return f"Every {step} {unit}s", f"every {_ordinal(step)} {unit}"
    if step and len(values) >= 3:
        span = f"from {values[0]} through {values[-1]}"
        if step == 1:
            return f"Every {unit} {span}", f"every {unit} {span}"
        return f"Every {step} {unit}s {span}", f"every {_ordinal(step)} {unit} {span}"
    listed = _join(_runs(values, str))
    return f"At {unit}s {listed}", f"{unit}s {listed}"


def _describe_days(cron: Cron) -> str:
    rule = cron.days
    all_month_days = rule.days_of_month == frozenset(range(1, 32)) and not rule.last_day_of_month
    all_weekdays = rule.weekdays == frozenset(range(7)) and not rule.nth_weekdays and not rule.last_weekdays
    months = "" if cron.months == tuple(range(1, 13)) else " in " + _month_words(cron.months)
    if rule.both and all_weekdays:
        if all_month_days:
            return months
        if len(cron.months) == 1 and len(rule.days_of_month) == 1 and not rule.last_day_of_month:
            return f" on {MONTH_NAMES[cron.months[0] - 1]} {min(rule.days_of_month)}"
        return f" on {_month_day_words(rule)}{months}"
    if rule.both and all_month_days:
        return f" on {_weekday_words(rule)}{months}"
    joint = "if it is" if rule.both else "and on"
    return f" on {_month_day_words(rule)} {joint} {_weekday_words(rule)}{months}"


def _month_day_words(rule: DayRule) -> str:
    values = tuple(sorted(rule.days_of_month))
    words = []
    step = _step_of(values)
    if step and step > 1 and values[0] == 1 and values[-1] + step > 31:
        words.append(f"every {_ordinal(step)} day")
    elif len(values) == 1:
        words.append(f"day {values[0]}")
    elif values:
        words.append(f"days {_join(_runs(values, str))}")
    if rule.last_day_of_month:
        words.append("the last day")
    return _join(words) + " of the month"


def _weekday_words(rule: DayRule) -> str:
    words = _runs(tuple(sorted(rule.weekdays)), lambda day: WEEKDAY_NAMES[day])
    words += [f"the {_NTH[n]} {WEEKDAY_NAMES[day]} of the month" for day, n in sorted(rule.nth_weekdays)]
    words += [f"the last {WEEKDAY_NAMES[day]} of the month" for day in sorted(rule.last_weekdays)]
    return _join(words)


def _month_words(months: tuple[int, ...]) -> str:
    step = _step_of(months)
    if step and step > 1 and len(months) >= 3 and months[0] == 1 and months[-1] + step > 12:
        return f"every {_ordinal(step)} month"
    return _join(_runs(months, lambda month: MONTH_NAMES[month - 1]))


def _step_of(values: tuple[int, ...]) -> int | None:
    """The common difference if `values` (sorted) is an arithmetic progression of 2 or more."""
    if len(values) < 2:
        return None
    step = values[1] - values[0]
    return step if all(b - a == step for a, b in zip(values, values[1:], strict=False)) else None


def _runs(values: tuple[int, ...], name: Callable[[int], str]) -> list[str]:
    """Names `values`, writing three or more consecutive ones as "a through b"."""
    words: list[str] = []
    start = 0
    for end in range(len(values)):
        if end + 1 < len(values) and values[end + 1] == values[end] + 1:
            continue
        if end - start >= 2:
            words.append(f"{name(values[start])} through {name(values[end])}")
        else:
            words.extend(name(value) for value in values[start : end + 1])
        start = end + 1
    return words


def _ordinal(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"

"""Schedules: a script run on a cron expression in a time zone, each tick exactly once."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from kiln.accounts.models import Workspace
from kiln.fields import OrderedJSONField


class CatchUp(models.TextChoices):
    """What a scheduler that was down does with the ticks it missed (older than the grace)."""

    SKIP = "skip"  # record them as skipped; run only what is due now (the default)
    LATEST = "latest"  # run once, for the most recent missed tick
    ALL = "all"  # run every missed tick, the most recent `catch_up_max` of them


class Schedule(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="schedules")
    # Its own path (`u/<user>/...` or `f/<folder>/...`): who may see and change it follows it.
    path = models.CharField(max_length=255)
    summary = models.CharField(max_length=500, blank=True)
    script_path = models.CharField(max_length=255)  # the target, run at its latest version
    is_flow = models.BooleanField(default=False)  # the target is a flow, not a script
    args = OrderedJSONField(default=dict)
    cron = models.CharField(max_length=200)
    timezone = models.CharField(max_length=64, default="UTC")
    enabled = models.BooleanField(default=True)
    paused_until = models.DateTimeField(null=True, blank=True)  # ticks before it are skipped
    catch_up = models.CharField(max_length=8, choices=CatchUp.choices, default=CatchUp.SKIP)
    catch_up_max = models.PositiveIntegerField(default=100)
    no_overlap = models.BooleanField(default=False)
    retry = models.JSONField(null=True, blank=True)  # Windmill's retry object; None: the script's
    # Handlers: {"path", "args", "times" (on_failure: consecutive failures before it runs)}.
    on_failure = models.JSONField(null=True, blank=True)
    on_recovery = models.JSONField(null=True, blank=True)
    on_success = models.JSONField(null=True, blank=True)
    # The tick the schedulers will fire next (UTC); moved by compare-and-set as each tick is taken.
    next_fire_at = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveIntegerField(default=0)  # consecutive failed runs
    failure_handled = models.BooleanField(default=False)  # on_failure ran for this streak
    edited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "path"], name="one_schedule_per_path")]
        indexes = [models.Index(fields=["enabled", "next_fire_at"], name="schedule_due")]

    def __str__(self) -> str:
        return f"{self.workspace_id}:{self.path}"


class EventKind(models.TextChoices):
    SKIPPED_OVERLAP = "skipped_overlap"  # no_overlap: the previous run was still going
    SKIPPED_MISSED = "skipped_missed"  # the schedulers were down; catch-up policy skipped them
    SKIPPED_PAUSED = "skipped_paused"
    NOT_STARTED = "not_started"  # the tick could not make a job (target gone, access lost, bad args)
    HANDLER = "handler"  # an on_failure / on_recovery / on_success job was started


class ScheduleEvent(models.Model):
    """Something that happened to a tick other than its job: a skip, a refusal, a handler."""

    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    tick_at = models.DateTimeField(null=True, blank=True)  # the (first) tick concerned
    count = models.PositiveIntegerField(default=1)  # ticks it stands for (a run of missed ones)
    detail = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["schedule", "-id"], name="schedule_event_recent")]

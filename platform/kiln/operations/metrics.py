"""`/metrics` in Prometheus' text format, for the whole installation.

Read at scrape time: gauges from the database (jobs waiting and running per tag, the oldest
waiting job, workers and their busy slots, schedules that are late), counters and histograms
from Redis (kiln.operations.counters: what every worker, scheduler and web process added).
Any web process answers the same, so one scrape target behind the load balancer is enough.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.db.models import Count, Min, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector, CollectorRegistry

from . import counters


class DatabaseCollector(Collector):
    def collect(self) -> Iterator[Metric]:
        from kiln.jobs.models import Job, JobStatus
        from kiln.schedules.models import Schedule

        now = timezone.now()
        tags = set(settings.KILN_WORKER_TAGS)
        jobs = GaugeMetricFamily(
            "kiln_jobs", "Jobs waiting or running now, by state and tag", labels=["state", "tag"]
        )
        counts = {
            (row["status"], row["queue"]): row["n"]
            for row in Job.objects.filter(status__in=(JobStatus.QUEUED, JobStatus.RUNNING))
            .values("status", "queue")
            .annotate(n=Count("id"))
        }
        for state in (JobStatus.QUEUED, JobStatus.RUNNING):
            for tag in sorted(tags | {queue for _, queue in counts}):
                jobs.add_metric([str(state), tag], counts.get((state, tag), 0))
        yield jobs

        # Due: not a retry's back-off or a job scheduled for later, which wait on purpose.
        due = Job.objects.filter(status=JobStatus.QUEUED).filter(
            Q(scheduled_for__isnull=True) | Q(scheduled_for__lte=now)
        )
        rows = {
            row["queue"]: row
            for row in due.values("queue").annotate(
                n=Count("id"), since=Min(Coalesce("scheduled_for", "created_at"))
            )
        }
        depth = GaugeMetricFamily(
            "kiln_queue_depth", "Jobs due and waiting for a worker, by tag", labels=["tag"]
        )
        oldest = GaugeMetricFamily(
            "kiln_queue_oldest_age_seconds", "How long the oldest due job of a tag has waited", labels=["tag"]
        )
        for tag in sorted(tags | set(rows)):
            row = rows.get(tag)
            depth.add_metric([tag], row["n"] if row else 0)
            oldest.add_metric([tag], max((now - row["since"]).total_seconds(), 0.0) if row else 0.0)
        yield depth
        yield oldest

        yield from self._workers(now, tags)

        late = Schedule.objects.filter(enabled=True, next_fire_at__lte=now).aggregate(
            first=Min("next_fire_at")
        )
        lag = GaugeMetricFamily(
            "kiln_scheduler_overdue_seconds",
            "How late the most overdue schedule tick is (0: every due tick was taken)",
        )
        lag.add_metric([], max((now - late["first"]).total_seconds(), 0.0) if late["first"] else 0.0)
        yield lag

    def _workers(self, now: Any, tags: set[str]) -> Iterator[Metric]:
        from kiln.jobs.workers import busy_by_worker, live, tags_served

        workers = list(live())
        busy = busy_by_worker(workers)
        up = GaugeMetricFamily("kiln_workers_live", "Workers whose heartbeat is recent")
        up.add_metric([], len(workers))
        per_tag = GaugeMetricFamily(
            "kiln_tag_live_workers", "Live workers serving each tag (not stopping)", labels=["tag"]
        )
        served = dict.fromkeys(tags, 0) | tags_served()
        for tag in sorted(served):
            per_tag.add_metric([tag], served[tag])
        labels = ["worker", "hostname"]
        slots = GaugeMetricFamily(
            "kiln_worker_slots", "A live worker's job slots (its concurrency)", labels=labels
        )
        used = GaugeMetricFamily(
            "kiln_worker_busy_slots", "A live worker's slots running a job", labels=labels
        )
        age = GaugeMetricFamily(
            "kiln_worker_heartbeat_age_seconds", "Since a live worker's last heartbeat", labels=labels
        )
        info = GaugeMetricFamily(
            "kiln_worker_info",
            "A live worker's version, tags and state: serving, or stopping (always 1)",
            labels=[*labels, "version", "tags", "state"],
        )
        for worker in workers:
            key = [worker.id, worker.hostname]
            slots.add_metric(key, worker.concurrency)
            used.add_metric(key, busy.get(worker.id, 0))
            age.add_metric(key, max((now - worker.heartbeat_at).total_seconds(), 0.0))
            state = "serving" if worker.stopping_at is None else "stopping"
            info.add_metric([*key, worker.version, ",".join(worker.tags or []), state], 1)
        yield from (up, per_tag, slots, used, age, info)


class RedisCollector(Collector):
    def collect(self) -> Iterator[Metric]:
        import redis

        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2, decode_responses=True
        )
        try:
            yield from self._read(client)
        finally:
            client.close()

    def _read(self, client: Any) -> Iterator[Metric]:
        finished = CounterMetricFamily(
            "kiln_jobs_finished",
            "Jobs ended, by tag, language and final state",
            labels=["tag", "language", "state"],
        )
        for tag, language, state, value in counters.parse_finished(client.hgetall(counters.FINISHED)):
            finished.add_metric([tag, language, state], value)
        yield finished

        log_bytes = CounterMetricFamily(
            "kiln_log_bytes", "Bytes of job log stored, by language", labels=["language"]
        )
        for language, value in sorted(client.hgetall(counters.LOG_BYTES).items()):
            log_bytes.add_metric([language], float(value))
        yield log_bytes

        durations = HistogramMetricFamily(
            "kiln_job_duration_seconds", "How long jobs ran (start to end), by language", labels=["language"]
        )
        for key in sorted(client.scan_iter(match=counters.DURATION + "*", count=100)):
            buckets, total = counters.DURATIONS.cumulative(client.hgetall(key))
            durations.add_metric([key[len(counters.DURATION) :]], buckets, total)
        yield durations

        lag = HistogramMetricFamily(
            "kiln_schedule_tick_lag_seconds", "How late after its time a schedule's tick made its job"
        )
        buckets, total = counters.TICK_LAGS.cumulative(client.hgetall(counters.TICK_LAG))
        lag.add_metric([], buckets, total)
        yield lag

        sockets = GaugeMetricFamily(
            "kiln_websocket_connections", "Open websockets (live logs), all web processes"
        )
        keys = list(client.scan_iter(match=counters.WEBSOCKETS + "*", count=100))
        sockets.add_metric([], sum(int(v or 0) for v in (client.mget(keys) if keys else [])))
        yield sockets


class Scrape:
    """One scrape's registry; a part that fails (Redis down) is reported by
    `kiln_scrape_ok{part}` = 0, and the other parts still answer."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=False)
        self.parts: dict[str, Collector] = {"database": DatabaseCollector(), "redis": RedisCollector()}
        self.registry.register(_Guarded(self.parts))


class _Guarded(Collector):
    def __init__(self, parts: dict[str, Collector]) -> None:
        self.parts = parts

    def collect(self) -> Iterator[Metric]:
        import logging

        ok = GaugeMetricFamily(
            "kiln_scrape_ok", "1 when this part of the scrape could be read", labels=["part"]
        )
        for name, part in self.parts.items():
            try:
                metrics = list(part.collect())
            except Exception:
                logging.getLogger(__name__).warning(
                    "metrics: could not read the %s part", name, exc_info=True
                )
                ok.add_metric([name], 0)
                continue
            ok.add_metric([name], 1)
            yield from metrics
        yield ok


def render() -> bytes:
    from prometheus_client import generate_latest

    return generate_latest(Scrape().registry)

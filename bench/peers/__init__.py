"""Kiln's benchmark workloads run on other systems: raw Celery, Temporal, Prefect.

See docs/performance-peers.md.
"""

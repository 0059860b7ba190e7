"""Periodic jobs of the quality figures and the EMC connection (registered in schedule.py)."""

from __future__ import annotations

from api.quality.emc_reconcile import reconcile_day
from api.quality.emc_sender import flush_emc_outbox
from api.quality.facts import rebuild_recent
from api.quality.snapshots import publish_previous


def send_emc_events() -> dict:

    return flush_emc_outbox()


def reconcile_emc_events() -> dict:

    return reconcile_day()


def rebuild_quality_facts() -> dict:

    return rebuild_recent()


def publish_weekly_snapshots() -> dict:

    return {"published": len(publish_previous("week"))}


def publish_monthly_snapshots() -> dict:

    return {"published": len(publish_previous("month"))}

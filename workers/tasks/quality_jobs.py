"""Periodic jobs of the quality figures and the EMC connection (registered in schedule.py)."""

from __future__ import annotations


def send_emc_events() -> dict:
    from api.quality.emc_sender import flush_emc_outbox

    return flush_emc_outbox()


def reconcile_emc_events() -> dict:
    from api.quality.emc_reconcile import reconcile_day

    return reconcile_day()


def rebuild_quality_facts() -> dict:
    from api.quality.facts import rebuild_recent

    return rebuild_recent()


def publish_weekly_snapshots() -> dict:
    from api.quality.snapshots import publish_previous

    return {"published": len(publish_previous("week"))}


def publish_monthly_snapshots() -> dict:
    from api.quality.snapshots import publish_previous

    return {"published": len(publish_previous("month"))}

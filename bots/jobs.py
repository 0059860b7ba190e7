"""rq job functions of the bots (run inside the app context, like workers.tasks.jobs); the periodic
ones join the workers' schedule through ``bots.init_app`` (``api.kernel.jobs.add_periodic``)."""

from __future__ import annotations

from bots.inbox import sweep
from bots.processing import process_update as run
from bots.thread_relay import relay


def process_update(update_id: int) -> str:
    """Answer one stored webhook update (enqueued by the webhook after its commit)."""

    return run(update_id)


def sweep_updates() -> dict:
    """Re-enqueue updates left unprocessed (Redis was down, a worker died); purge old ones."""

    return sweep()


def relay_officer_replies() -> dict:
    """Officer messages into the chats that are talking with the officer."""

    return relay()


# (function, queue, timing) as in workers.tasks.schedule.PERIODIC
PERIODIC = [
    (sweep_updates, "urgent", {"interval": 60}),
    (relay_officer_replies, "urgent", {"interval": 15}),
]

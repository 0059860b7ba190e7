"""A check that the wake-ups drain the outbox by themselves.

process_domain_events drains every event there is when it starts, and a change committed after
that enqueues a new run (api.kernel.outbox.wake_relay). While the urgent queue is
idle and events are still unprocessed, this enqueues one more run and counts it: anything but
0 (or a rare race with a push between its commit and its wake-up) means events were stranded
until the sweeper's next minute.
"""

from __future__ import annotations

import threading
from types import TracebackType

from rq import Queue
from sqlalchemy import create_engine, text

from benchmarks.notify import stack

POLL_SECONDS = 0.2


class Drainer:
    def __init__(self, database_url: str) -> None:
        self.engine = create_engine(database_url, pool_size=1)
        self.queue = Queue("urgent", connection=stack.connection())
        self.extra_runs = 0
        self.left_after_wakeups: int | None = None  # unprocessed when it first had to act
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="drainer", daemon=True)

    def unprocessed(self) -> int:
        with self.engine.connect() as conn:
            sql = "SELECT count(*) FROM domain_events WHERE processed_at IS NULL"
            return conn.execute(text(sql)).scalar_one()

    def _idle(self) -> bool:
        return self.queue.count == 0 and self.queue.started_job_registry.count == 0

    def _loop(self) -> None:
        while not self._stop.wait(POLL_SECONDS):
            if not self._idle():
                continue
            left = self.unprocessed()
            if left and self._idle():
                if self.left_after_wakeups is None:
                    self.left_after_wakeups = left
                self.queue.enqueue("workers.tasks.jobs.process_domain_events")
                self.extra_runs += 1

    def figures(self) -> dict[str, int | None]:
        return {
            "extra_wakeups_to_drain": self.extra_runs,
            "events_left_by_the_wakeups": self.left_after_wakeups or 0,
        }

    def __enter__(self) -> Drainer:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join(10)
        self.engine.dispose()

"""``python -m benchmarks.notifyworker``: ``python -m workers`` with the fix the notify part
proposes for its search-index prebuild, to measure the pipeline without that fault.

workers.runner._build_search_index queries PostgreSQL in the worker's parent process, and the
pooled connection it leaves behind is inherited by every forked work horse: two horses then
talk over one server session ("prepared statement "_pg3_0" already exists", and worse).
Here the parent's pool is emptied right after the prebuild (db.engine.dispose()), so each
horse opens its own connection. Used when BENCH_NOTIFY_WORKER_MODULE names this module.
"""

from __future__ import annotations

from flask import Flask

from api import create_app
from api.extensions import db
from workers import runner


def main() -> None:
    prebuild = runner._build_search_index

    def prebuild_then_dispose(app: Flask) -> None:
        prebuild(app)
        with app.app_context():
            db.engine.dispose()

    runner._build_search_index = prebuild_then_dispose
    runner.run_worker_process(create_app())


if __name__ == "__main__":
    main()

"""``python -m workers``: a worker process on the configured Redis (REDIS_URL)."""

from __future__ import annotations

import argparse

from api.app import create_app
from workers.tasks.runner import run_worker_process


def main() -> None:
    parser = argparse.ArgumentParser(description="Run a dvc-connect job worker")
    parser.add_argument("--burst", action="store_true", help="exit when the queues are empty")
    parser.add_argument(
        "--fork", action="store_true", help="run each job in a forked child (isolation, slower)"
    )
    args = parser.parse_args()
    app = create_app()
    run_worker_process(app, burst=args.burst, fork=args.fork)


if __name__ == "__main__":
    main()

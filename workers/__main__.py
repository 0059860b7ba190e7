"""``python -m workers``: a worker process on the configured Redis (REDIS_URL)."""

from __future__ import annotations

import argparse

from api import create_app
from workers.runner import run_worker_process


def main() -> None:
    parser = argparse.ArgumentParser(description="Run a dvc-connect job worker")
    parser.add_argument("--burst", action="store_true", help="exit when the queues are empty")
    args = parser.parse_args()
    app = create_app()
    run_worker_process(app, burst=args.burst)


if __name__ == "__main__":
    main()

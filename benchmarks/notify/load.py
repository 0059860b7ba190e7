"""The notify part's in-app side, run as a child process with the app's environment set
(DATABASE_URL, REDIS_URL, SMS_*): ``python -m benchmarks.notify.load COMMAND ...``.

seed    citizens (phone, personal id, preferences ["sms"], no quiet hours) and one dossier
        each, by bulk insert: no domain events, so nothing to notify yet.
burst   a status change for dossiers [first, first+count) through ingest_dossiers, 500 records
        a call as a portal push; each call commits and enqueues its own wake-up
        (process_domain_events, api.dossiers.inbound._after_commit).
steady  ``rate`` status changes a second for ``seconds``: every tick one ingest_dossiers call
        for the tick's records, the time it was called noted per dossier ("push received").
profile benchmarks.notify.profile (the workers stopped).
Each prints one JSON line last.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter

from flask import Flask
from sqlalchemy import insert

from api.app import create_app
from api.auth.models import Account
from api.dossiers.inbound import ingest_dossiers
from api.dossiers.models import Dossier
from api.kernel.database import db
from api.profile.models import NotificationPreference
from benchmarks.notify.profile import profile
from benchmarks.notify.records import FROM_STATUS, PUSH_BATCH, code, personal_id, phone, record


def seed(count: int) -> dict:
    started = time.perf_counter()
    for start in range(0, count, 2000):
        indexes = range(start, min(start + 2000, count))
        citizens = [
            {"role": "citizen", "assurance": "vneid", "personal_id": personal_id(i),
             "phone": phone(i), "full_name": f"Nguyễn Văn {i}"}
            for i in indexes
        ]  # fmt: skip
        ids = db.session.scalars(insert(Account).returning(Account.id), citizens).all()
        db.session.execute(
            insert(NotificationPreference),
            [{"account_id": a, "channels": ["sms"], "events": {}, "language": "vi"} for a in ids],
        )
        dossiers = [
            {"code": code(i), "procedure_name": "Cấp giấy phép xây dựng",
             "applicant_id_number": personal_id(i), "status_code": FROM_STATUS}
            for i in indexes
        ]  # fmt: skip
        db.session.execute(insert(Dossier), dossiers)
        db.session.commit()
    return {"citizens": count, "seconds": round(time.perf_counter() - started, 2)}


def burst(first: int, count: int) -> dict:
    """Pushes of 500 through ingest_dossiers, back to back."""
    outcomes: Counter = Counter()
    started, clock = time.time(), time.perf_counter()
    for start in range(first, first + count, PUSH_BATCH):
        records = [record(i) for i in range(start, min(start + PUSH_BATCH, first + count))]
        outcomes.update(r["message"] for r in ingest_dossiers(records, int(time.time())))
    seconds = time.perf_counter() - clock
    return {
        "started_at": started,
        "ingest_seconds": round(seconds, 2),
        "records_per_second": round(count / seconds, 1),
        "outcomes": dict(outcomes),
    }


def steady(first: int, rate: float, seconds: float, tick: float) -> dict:
    per_tick = max(1, round(rate * tick))
    ticks = int(seconds / tick)
    received: dict[str, float] = {}
    outcomes: Counter = Counter()
    late = 0
    started = time.monotonic()
    for n in range(ticks):
        due = started + n * tick
        pause = due - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        elif pause < -tick:
            late += 1
        indexes = range(first + n * per_tick, first + (n + 1) * per_tick)
        at = time.time()
        results = ingest_dossiers([record(i) for i in indexes], int(at))
        outcomes.update(r["message"] for r in results)
        received.update({code(i): at for i in indexes})
    elapsed = time.monotonic() - started
    return {
        "events": len(received),
        "seconds": round(elapsed, 2),
        "events_per_second": round(len(received) / elapsed, 1),
        "late_ticks": late,
        "outcomes": dict(outcomes),
        "received": received,
    }


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.notify.load")
    sub = parser.add_subparsers(dest="command", required=True)
    options = {"seed": "count", "burst": "first count", "steady": "first rate seconds",
               "profile": "first count"}  # fmt: skip
    for name, names in options.items():
        command = sub.add_parser(name)
        for option in names.split():
            kind = float if option in ("rate", "seconds") else int
            command.add_argument(f"--{option}", type=kind, required=True)
    sub.choices["steady"].add_argument("--tick", type=float, default=0.1)
    return parser.parse_args(argv)


def dispatch(app: Flask, args: argparse.Namespace) -> dict:
    with app.app_context():
        if args.command == "seed":
            return seed(args.count)
        if args.command == "burst":
            return burst(args.first, args.count)
        if args.command == "steady":
            return steady(args.first, args.rate, args.seconds, args.tick)
        return profile(args.first, args.count)


def main(argv: list[str] | None = None) -> None:
    args = parse(argv)
    print(json.dumps(dispatch(create_app(), args)), flush=True)


if __name__ == "__main__":
    main()

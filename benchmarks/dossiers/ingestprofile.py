"""Where one pushed record's time goes, in-process (no HTTP server, no network).

Run as ``python -m benchmarks.dossiers.ingestprofile`` with DATABASE_URL/REDIS_URL/PORTAL_PUSH_SECRET
set (benchmarks.dossiers.ingest does, on its database after the load). Prints one JSON object: per
record, for creates and for updates: the whole request through Flask's test client, the
ingest function alone (wall and CPU time, the SQL statements it sends by kind and the time
spent waiting for them), and the record parsing alone. Both ways get the same records under a
code prefix of its own.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable

from benchmarks.harness.common import SqlMeter

# Per kind and way: 1,500 creates and their ~900 status changes. Batches vary by ±20 % on a
# shared machine, more than the HTTP layer costs, so request and ingest are shown side by side
# rather than subtracted.
BATCHES = 3


def _per_record(seconds: float, records: int) -> float:
    return round(seconds * 1000 / records, 4)


class Way:
    """One way of applying batches: wall and this thread's CPU time, statements, outcomes."""

    def __init__(self, apply: Callable[[list[dict]], list[dict]]) -> None:
        self.apply = apply
        self.wall = self.cpu = 0.0
        self.records = 0
        self.meter = SqlMeter()
        self.outcomes: Counter = Counter()

    def run(self, records: list[dict], engine) -> None:  # noqa: ANN001
        cpu, started = time.thread_time(), time.perf_counter()
        with self.meter.listening(engine):
            results = self.apply(records)
        self.wall += time.perf_counter() - started
        self.cpu += time.thread_time() - cpu
        self.records += len(records)
        self.outcomes.update(r["message"] if r["error_code"] == 0 else "error" for r in results)

    def figures(self) -> dict[str, object]:
        n = self.records
        return {
            "ms": _per_record(self.wall, n),
            "cpu_ms": _per_record(self.cpu, n),
            "sql_wait_ms": _per_record(self.meter.seconds, n),
            "statements_per_record": round(sum(self.meter.kinds.values()) / n, 2),
            "statements_by_kind_per_record": {
                k: round(v / n, 2) for k, v in self.meter.kinds.most_common()
            },
            "outcomes": dict(self.outcomes),
        }


def profile() -> dict[str, object]:
    from api.app import create_app
    from api.dossiers.inbound import ingest_dossiers
    from api.kernel.database import db
    from api.portal.dossier_records import dossier_from_hoso
    from benchmarks.dossiers.hoso import batches, push_set
    from benchmarks.harness.pgstack import push_headers

    app = create_app()
    client = app.test_client()

    def request(records: list[dict]) -> list[dict]:
        body = json.dumps({"data": records}, ensure_ascii=False).encode()
        response = client.post("/api/v1/portal/dossiers", data=body, headers=push_headers(body))
        assert response.status_code == 200, response.status_code
        return response.get_json()["result"]

    applies = {
        "request": request,
        "ingest": lambda records: ingest_dossiers(records, int(time.time())),
    }
    # The same records for each way but for a code prefix of its own, so each applies them.
    sets = {}
    for name in applies:
        made = push_set(BATCHES * 500, seed=6, tag=f"PROF{name.upper()}")
        sets[name] = {
            "creates": [json.loads(b.body)["data"] for b in batches(made.creates)],
            "updates": [
                json.loads(b.body)["data"] for b in batches([u for u in made.updates if u])
            ],
        }
    out: dict[str, object] = {}
    for kind in ("creates", "updates"):
        ways = {name: Way(apply) for name, apply in applies.items()}
        # Interleaved batch by batch, so drift on a shared machine hits every way alike.
        for number in range(len(sets["ingest"][kind])):  # updates: fewer than BATCHES
            for name, way in ways.items():
                with app.app_context():
                    way.run(sets[name][kind][number], db.engine)
                    db.session.remove()
        parse_started = time.thread_time()
        for records in sets["ingest"][kind]:
            for record in records:
                dossier_from_hoso(record)
        parse = time.thread_time() - parse_started
        figures = {name: way.figures() for name, way in ways.items()}
        ingest = figures["ingest"]
        out[kind] = {
            "request_total_ms": figures["request"]["ms"],
            "request_cpu_ms": figures["request"]["cpu_ms"],
            "ingest_ms": ingest["ms"],
            "ingest_cpu_ms": ingest["cpu_ms"],
            "sql_wait_ms": ingest["sql_wait_ms"],
            "parse_cpu_ms": _per_record(parse, ways["ingest"].records),
            "statements_per_record": ingest["statements_per_record"],
            "statements_by_kind_per_record": ingest["statements_by_kind_per_record"],
            "outcomes": ingest["outcomes"],
        }
    return out


if __name__ == "__main__":
    print(json.dumps(profile()))

"""Where one search request's time goes, in-process (no HTTP server, no network).

Run as ``python -m benchmarks.search.breakdown DATABASE_URL``; prints one JSON object of mean CPU
milliseconds per query (this thread's CPU time, best of a few passes over the query set, so
other load on the machine hardly matters):

- index_search: SearchIndex.search alone;
- service_extra: what service.search_procedures adds (summaries, facets, look-ups) on an
  already open session;
- request_unseen: the whole Flask request through the test client for phrasings never asked
  before (benchmarks.search.phrasings), so no answer cache can help; flask_extra is what it adds
  around the service (routing, arguments, schema dump, JSON, hooks, and opening and closing a
  session, which on SQLite means a new connection per request);
- request_repeated: the same request for the query set already asked (cache hits, if any);
- health_request: /health through the test client, the trivial reference.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from urllib.parse import urlencode

PASSES = 5


def best_mean_ms(action: Callable[[str], object], queries: list[str]) -> float:
    best = float("inf")
    for _ in range(PASSES):
        started = time.thread_time()
        for q in queries:
            action(q)
        best = min(best, (time.thread_time() - started) / len(queries))
    return round(best * 1000, 3)


def breakdown(database_url: str) -> dict[str, float]:
    from api.app import create_app
    from api.catalog import service
    from api.catalog.search.index import Filters
    from api.kernel.pagination import Page
    from api.kernel.settings import Settings
    from benchmarks.harness.common import load_queries
    from benchmarks.search.phrasings import unseen_queries

    queries = [q.q for q in load_queries()]
    fresh = iter(unseen_queries(load_queries(), PASSES * len(queries)))
    app = create_app(Settings.from_env(database_url=database_url, embedded_worker=False))
    client = app.test_client()

    def request(q: str) -> None:
        response = client.get("/api/v1/procedures?" + urlencode({"q": q}))
        assert response.status_code == 200, response.status_code

    for q in queries:  # warm-up: builds the index, fills any answer cache
        request(q)
    with app.app_context():
        index = service.search_index()
        filters, page = Filters(), Page(1, 20)
        index_ms = best_mean_ms(lambda q: index.search(q, filters, 0, 20), queries)
        service_ms = best_mean_ms(lambda q: service.search_procedures(q, filters, page), queries)
    unseen_ms = best_mean_ms(lambda _q: request(next(fresh)), queries)
    repeated_ms = best_mean_ms(request, queries)
    health_ms = best_mean_ms(lambda _q: client.get("/health"), queries)
    return {
        "index_search": index_ms,
        "service_extra": round(service_ms - index_ms, 3),
        "flask_extra": round(unseen_ms - service_ms, 3),
        "request_unseen": unseen_ms,
        "request_repeated": repeated_ms,
        "health_request": health_ms,
    }


if __name__ == "__main__":
    print(json.dumps(breakdown(sys.argv[1])))

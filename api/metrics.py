"""Prometheus metrics: request counts and latency by endpoint, the notification pipeline's
figures (push.notifications.metrics) and its backlog.

Under gunicorn set PROMETHEUS_MULTIPROC_DIR (gunicorn.conf.py does) so every worker's figures
are summed; otherwise the process's own registry is served. Part of the composition root (it
wires the notifications domain's backlog into /metrics), beside api.app.
"""

from __future__ import annotations

import os
import time

from flask import Flask, Response, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

from push.notifications.metrics import BacklogCollector

REQUESTS = Counter(
    "dvc_http_requests_total", "HTTP requests answered", ["method", "endpoint", "status"]
)
LATENCY = Histogram(
    "dvc_http_request_duration_seconds",
    "HTTP request latency",
    ["method", "endpoint"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


def _endpoint_label() -> str:
    # The URL rule, not the path: /procedures/<code> is one series, not one per code.
    rule = request.url_rule
    return rule.rule if rule is not None else "unmatched"


def init_metrics(app: Flask) -> None:
    @app.before_request
    def _start_timer() -> None:
        g._metrics_start = time.perf_counter()

    @app.after_request
    def _record(response: Response) -> Response:
        start = g.pop("_metrics_start", None)
        if start is not None:
            endpoint = _endpoint_label()
            LATENCY.labels(request.method, endpoint).observe(time.perf_counter() - start)
            REQUESTS.labels(request.method, endpoint, str(response.status_code)).inc()
        return response

    backlog = CollectorRegistry()
    backlog.register(BacklogCollector(app))

    @app.get("/metrics")
    def metrics() -> Response:
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)
            data = generate_latest(registry)
        else:
            data = generate_latest()
        # What waits right now (outbox, due notifications, queues), read at scrape time.
        return Response(data + generate_latest(backlog), mimetype=CONTENT_TYPE_LATEST)

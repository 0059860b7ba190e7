"""gunicorn settings for production: ``gunicorn -c gunicorn.conf.py wsgi:app``."""

import os
import tempfile

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# Building the search index at 100,000 procedures takes ~15 s on a busy 2-core machine
# (each worker builds it before its first request, see post_worker_init).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
accesslog = None  # the app writes its own structured access log

# Prometheus: every worker writes its figures to a shared directory, /metrics sums them.
if "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="dvc-metrics-")


def post_worker_init(worker):  # noqa: ANN001, ANN201
    from api.catalog.search.loader import prebuild

    prebuild(worker.wsgi)


def child_exit(server, worker):  # noqa: ANN001, ANN201
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)

"""Benchmarks: ``make bench`` (``.venv/bin/python -m benchmarks [PART ...]``) runs the parts and
merges their figures into benchmarks/results/latest.json with machine facts and timestamps.

One package per part on a shared harness: ``harness/`` (the query set, timing statistics and
machine facts in ``common``; the report writer and latest.json in ``report``; processes,
gunicorn and /proc in ``server``; PostgreSQL, Redis and the app's environment in ``pgstack``;
the HTTP load generator in ``loadgen``), ``search/`` (search_quality, latency, http, memory;
the synthetic 100,000-procedure catalog is built once and cached, ``--fresh`` rebuilds it),
``dossiers/`` (ingest, lookup), ``notify/``, ``bots/``, ``support/`` and ``faults/`` (``make
faults``). The evaluation sets (``*.json`` here) are read, never written, by the parts.
"""

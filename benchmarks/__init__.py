"""Benchmarks for procedure search (issue 2): quality, latency, HTTP throughput and memory.

``make bench`` (or ``.venv/bin/python -m benchmarks``) runs every part; name parts to run only
those: ``python -m benchmarks search_quality latency http memory``. Figures are printed as
tables and merged into benchmarks/results/latest.json with machine facts and timestamps.

- search_quality: hit@1 and MRR@10 of SearchIndex on benchmarks/search_queries.json.
- latency: SearchIndex.search/suggest percentiles at 283 and 100,000 procedures (synthetic
  provincial variants), next to trivial reference operations timed in the same loop.
- http: gunicorn (2 workers) on localhost, /api/v1/procedures?q=... against /health.
- memory: RSS of one API worker with the index built, at 283 and 100,000 procedures. The
  100,000-procedure SQLite database is built once with the real importer and cached under
  ~/.cache/dvc-connect-bench (``--fresh`` rebuilds it; the first build takes minutes).
"""

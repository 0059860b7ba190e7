"""Benchmarks: ``make bench`` (``.venv/bin/python -m benchmarks [PART ...]``) runs the parts and
merges their figures into benchmarks/results/latest.json with machine facts and timestamps.

One package per part, on a shared harness:
- ``harness/``: the query set, timing statistics, machine facts (``common``), the report writer
  and latest.json (``report``), a throw-away API under gunicorn (``server``), the production-like
  stack with PostgreSQL and Redis (``pgstack``), the HTTP load generator (``loadgen``).
- ``search/``: search_quality (hit@1, MRR@10 per split), latency (in-process, 283 and 100,000
  procedures), http (gunicorn, /api/v1/procedures against /health), memory (worker RSS); the
  synthetic 100,000-procedure catalog is built once and cached (``--fresh`` rebuilds it).
- ``dossiers/``: ingest (portal push rate) and lookup (status look-up with a million dossiers).
- ``notify/``: status events through the whole notification pipeline.
- ``bots/``: the conversation engine on the chat sets, and end to end through the webhook.
- ``support/``: answering support questions on two splits.
- ``faults/``: ``make faults``, the fault scenarios against the real stack.
The evaluation sets (``*.json`` here) are read, never written, by the parts.
"""

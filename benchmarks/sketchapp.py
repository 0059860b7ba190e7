"""``gunicorn benchmarks.sketchapp:app``: the app with the push endpoint's ingest swapped for
the set-based sketch (benchmarks.proposals), so the proposed fix is measured over HTTP the same
way as the code as it is. For the ingest benchmark only."""

from __future__ import annotations

import api.dossiers.inbound as inbound
import api.portal.routes as routes
from benchmarks.proposals import ingest_dossiers_set_based
from wsgi import app

if routes.ingest_dossiers is not inbound.ingest_dossiers:
    # The route no longer calls what the sketch replaces: measuring would be meaningless.
    raise RuntimeError("api.portal.routes changed; update benchmarks.sketchapp")
routes.ingest_dossiers = ingest_dossiers_set_based

__all__ = ["app"]

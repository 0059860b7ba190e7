"""The unit of work: a request, a job or a command owns its transaction (docs/architecture.md).

Services write in the session and leave the commit to whoever called them: the web layer
commits when the answer is a success and rolls back otherwise, a job when it finished, a
command when it is done. A service commits on its own only where its docstring says why
(batches that must resume after a crash, claims other workers must see at once).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, Response

from api.kernel.database import db


def init_app(app: Flask) -> None:
    @app.after_request
    def _finish_request_unit(response: Response) -> Response:
        if response.status_code < 400:
            db.session.commit()
        else:
            db.session.rollback()  # a refused request changes nothing
        return response


@contextmanager
def unit_of_work() -> Iterator[None]:
    """For jobs and commands: commit when the block ends, roll back if it raises."""
    try:
        yield
    except BaseException:
        db.session.rollback()
        raise
    db.session.commit()

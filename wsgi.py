"""Entry point of the web process: ``gunicorn wsgi:app``, and ``flask --app wsgi ...`` with the
``serve`` command of the embedded default (the API and a worker thread, `make run`)."""

from api.app import create_app
from workers.serve import serve_command

app = create_app()
app.cli.add_command(serve_command)

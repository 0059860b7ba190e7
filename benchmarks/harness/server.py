"""Processes for the parts: a throw-away API (gunicorn on a free localhost port, a SQLite
database in a temp dir unless given another environment), any child started and stopped the
same way (``spawn``, ``stop``, ``wait_until``), and what /proc tells about them."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.harness.common import ROOT, VENV_BIN

HOST = "127.0.0.1"


def api_env(database_url: str) -> dict[str, str]:
    """The embedded mode on ``database_url``: REDIS_URL unset, the app's own log level
    (INFO: one JSON access-log line per request, as in production)."""
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}}
    env.update(DATABASE_URL=database_url, SECRET_KEY="benchmark-only-secret-key")
    return env


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path.resolve()}"


def flask(args: list[str], log: Path, env: dict[str, str]) -> None:
    """``flask --app wsgi ARGS`` from the repository root; output appended to ``log``."""
    with log.open("ab") as out:
        subprocess.run(
            [str(VENV_BIN / "flask"), "--app", "wsgi", *args],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, check=True, timeout=600,
        )  # fmt: skip


def prepare_database(directory: Path, catalog: Path | None = None) -> str:
    """Migrate a fresh SQLite file and import the catalog through the real CLI commands."""
    url = sqlite_url(directory / "bench.db")
    log = directory / "prepare.log"
    flask(["db", "upgrade"], log, api_env(url))
    flask(["catalog", "import", *([str(catalog)] if catalog else [])], log, api_env(url))
    return url


def catalog_app(settings=None, sqlite: Path | None = None, **overrides: object):  # noqa: ANN001, ANN201
    """The app in this process on ``settings`` (or quiet, on the SQLite file ``sqlite``),
    migrated, with the bundled catalog imported."""
    from flask_migrate import upgrade

    from api.app import create_app
    from api.catalog.importer import DEFAULT_CATALOG, import_catalog, load_catalog_file
    from api.kernel.settings import Settings

    app = create_app(settings or Settings.from_env(
        env={}, database_url=f"sqlite:///{sqlite}", log_level="WARNING", embedded_worker=False,
        **overrides,
    ))  # fmt: skip
    with app.app_context():
        upgrade()
        import_catalog(load_catalog_file(DEFAULT_CATALOG), source="benchmark")
    return app


def child_json(module: str, *args: str, env: dict[str, str] | None = None, timeout: float = 600,
               live_stderr: bool = False) -> dict:  # fmt: skip
    """``python -m MODULE ARGS`` from the repository root; its last output line, parsed
    (``live_stderr``: its progress lines go straight to this terminal)."""
    done = subprocess.run(
        [sys.executable, "-m", module, *args], cwd=ROOT, env=env, stdout=subprocess.PIPE,
        stderr=None if live_stderr else subprocess.PIPE, text=True, timeout=timeout,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"{module} {' '.join(args)} failed:\n{(done.stderr or '')[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def spawn(command: list[str], log: Path, env: dict[str, str] | None = None) -> subprocess.Popen:
    """``command`` in a session of its own from the repository root, output appended to ``log``."""
    with log.open("ab") as out:
        return subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip


def wait_until(ready: Callable[[], object], process: subprocess.Popen, what: str,
               seconds: float, errors: tuple[type[Exception], ...] = (OSError,)) -> None:  # fmt: skip
    """Until ``ready()`` is true (``errors`` it raises meanwhile count as not yet)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited at start ({process.returncode})")
        try:
            if ready():
                return
        except errors:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"{what} was not ready within {seconds:g} s")


def stop(process: subprocess.Popen, grace: float = 15) -> bool:
    """SIGTERM, then SIGKILL after ``grace`` seconds; True if it had to be killed."""
    if process.poll() is not None:
        return False
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=grace)
        return False
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)
        return True


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def get(port: int, path: str, timeout: float = 10.0) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def children(pid: int) -> list[int]:
    """Direct child processes of ``pid`` (gunicorn's workers, rq's work horse), from /proc."""
    found = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            found.extend(int(child) for child in (task / "children").read_text().split())
    except OSError:  # gone meanwhile
        pass
    return sorted(found)


def cpu_ticks(pids: list[int], reaped_children: bool = False) -> int:
    """User + system clock ticks used so far by ``pids`` (with ``reaped_children``, also by
    their finished children, such as forked rq jobs); vanished processes count 0."""
    total = 0
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        values = stat[stat.rindex(")") + 2 :].split()
        total += sum(int(v) for v in values[11 : 15 if reaped_children else 13])
    return total


def tick_ms() -> float:
    return 1000.0 / os.sysconf("SC_CLK_TCK")


def machine_busy() -> tuple[int, int]:
    """(busy, total) jiffies of all CPUs so far, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return sum(values) - values[3] - values[4], sum(values)


def proc_status_kb(pid: int, key: str) -> int:
    """A kB figure of /proc/<pid>/status, e.g. VmRSS or VmHWM."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{key}:"):
            return int(line.split()[1])
    raise KeyError(key)


@dataclass
class Gunicorn:
    port: int
    process: subprocess.Popen
    log: Path
    command: list[str] = field(default_factory=list)

    @property
    def workers(self) -> list[int]:
        return children(self.process.pid)


@contextmanager
def gunicorn(database_url: str, directory: Path, *, workers: int = 2, worker_class: str = "sync",
             threads: int = 1, timeout: int = 30,
             env: dict[str, str] | None = None) -> Iterator[Gunicorn]:  # fmt: skip
    """gunicorn wsgi:app on a free port, ready once /health answers and every worker is up;
    stopped when the block ends. ``env`` replaces the embedded mode's (api_env)."""
    port = free_port()
    command = [
        str(VENV_BIN / "gunicorn"), "wsgi:app", f"--bind={HOST}:{port}", f"--workers={workers}",
        f"--worker-class={worker_class}", f"--threads={threads}", f"--timeout={timeout}",
        "--log-level=warning", f"--worker-tmp-dir={directory}",
    ]  # fmt: skip
    log = directory / f"gunicorn-{port}.log"
    process = spawn(command, log, env if env is not None else api_env(database_url))
    server = Gunicorn(port, process, log, command)

    def ready() -> bool:
        return get(port, "/health", timeout=2)[0] == 200 and len(server.workers) >= workers

    try:
        wait_until(ready, process, f"gunicorn (see {log})", 60)
        yield server
    finally:
        stop(process)

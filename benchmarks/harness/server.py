"""A throw-away API: a SQLite database in a temp dir and gunicorn on a free localhost port."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
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


def flask(args: list[str], database_url: str, log: Path) -> None:
    """``flask --app wsgi ARGS`` from the repository root; output appended to ``log``."""
    with log.open("ab") as out:
        subprocess.run(
            [str(VENV_BIN / "flask"), "--app", "wsgi", *args],
            cwd=ROOT,
            env=api_env(database_url),
            stdout=out,
            stderr=subprocess.STDOUT,
            check=True,
            timeout=600,
        )


def prepare_database(directory: Path, catalog: Path | None = None) -> str:
    """Migrate a fresh SQLite file and import the catalog through the real CLI commands."""
    url = sqlite_url(directory / "bench.db")
    log = directory / "prepare.log"
    flask(["db", "upgrade"], url, log)
    flask(["catalog", "import", *([str(catalog)] if catalog else [])], url, log)
    return url


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
    """Direct child processes of ``pid`` (gunicorn's workers), from /proc."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found.extend(int(child) for child in text)
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


def _wait_ready(server: Gunicorn, workers: int, deadline: float) -> None:
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"gunicorn exited ({server.process.returncode}); see {server.log}")
        try:
            status, _ = get(server.port, "/health", timeout=2)
            if status == 200 and len(server.workers) >= workers:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"gunicorn did not answer /health in time; see {server.log}")


@contextmanager
def gunicorn(
    database_url: str,
    directory: Path,
    *,
    workers: int = 2,
    worker_class: str = "sync",
    threads: int = 1,
    timeout: int = 30,
    env: dict[str, str] | None = None,
) -> Iterator[Gunicorn]:
    """gunicorn wsgi:app on a free port; stopped (TERM, then KILL) when the block ends.
    ``env`` replaces the embedded-mode environment (api_env) for another stack."""
    port = free_port()
    log = directory / f"gunicorn-{port}.log"
    command = [
        str(VENV_BIN / "gunicorn"),
        "wsgi:app",
        f"--bind={HOST}:{port}",
        f"--workers={workers}",
        f"--worker-class={worker_class}",
        f"--threads={threads}",
        f"--timeout={timeout}",
        "--log-level=warning",
        f"--worker-tmp-dir={directory}",
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env if env is not None else api_env(database_url),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Gunicorn(port, process, log, command)
    try:
        _wait_ready(server, workers, time.monotonic() + 60)
        yield server
    finally:
        stop(process)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)

"""Multi-process test harness: fresh PostgreSQL databases, Redis checks and clean-up, real server/worker
processes with captured logs, and a small httpx web client that handles CSRF tokens.

Used by tests/system and tests/browser. Nothing here is skipped: a missing PostgreSQL, Redis, Chromium or
`fediscience` executable fails the test with a message saying what to start or install.
"""

from __future__ import annotations

import os
import random
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
import sqlalchemy as sa

from tests.helpers import TEST_SECRET

ROOT = Path(__file__).resolve().parents[2]
POSTGRES_ADMIN_URL = os.environ.get("FEDISCIENCE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_HOST_URL = os.environ.get("FEDISCIENCE_TEST_REDIS_URL", "redis://127.0.0.1:6379")
DEADLINE = 30.0
PASSWORD = "correct horse battery"
CSRF = re.compile(r'name="csrf_token"[^>]*\bvalue="([^"]+)"')

T = TypeVar("T")


# --------------------------------------------------------------------------------------------- executables


def fediscience_executable() -> str:
    """The `fediscience` console script of the running interpreter's environment."""
    candidate = Path(sys.executable).parent / "fediscience"
    if not candidate.exists():
        pytest.fail(
            f"{candidate} does not exist: install the project into this environment (pip install -e '.[test]').",
            pytrace=False,
        )
    return str(candidate)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now (bound to port 0, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def listening_port() -> int:
    """A free TCP port on 127.0.0.1 for a server that binds it later (possibly more than once: a restart).

    It comes from below the kernel's ephemeral range: `free_port()` ports come from that range, where any outgoing
    connection of a busy machine may take the port before the server binds it (EADDRINUSE).
    """
    low = _ephemeral_range_start()
    for _ in range(100):
        port = random.randrange(max(1024, low - 12_000), low)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    pytest.fail(f"no free TCP port found below {low} on 127.0.0.1", pytrace=False)


def _ephemeral_range_start() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768  # Linux's default


def wait_for(what: str, probe: Callable[[], T | None], *, deadline: float = DEADLINE, interval: float = 0.1,
             alive: Callable[[], None] | None = None) -> T:
    """Poll probe() until it returns something truthy; fail after `deadline` seconds saying what was awaited."""
    end = time.monotonic() + deadline
    last_error: BaseException | None = None
    while True:
        if alive is not None:
            alive()
        try:
            result = probe()
        except (httpx.HTTPError, OSError) as exc:
            result, last_error = None, exc
        if result:
            return result
        if time.monotonic() > end:
            detail = f" (last error: {last_error!r})" if last_error else ""
            pytest.fail(f"timed out after {deadline:.0f} s waiting for {what}{detail}", pytrace=False)
        time.sleep(interval)


# --------------------------------------------------------------------------------------------- PostgreSQL


@contextmanager
def fresh_database(prefix: str = "fs_sys") -> Iterator[str]:
    """CREATE a new, empty PostgreSQL database for one test module; DROP it (forcefully) afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as exc:
        admin.dispose()
        pytest.fail(
            f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL} ({exc.orig}). The system and browser tests need "
            "it: start PostgreSQL (127.0.0.1:5432, user postgres, trust auth, database `test`) or set "
            "FEDISCIENCE_TEST_POSTGRES_URL.",
            pytrace=False,
        )
    url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def query(database_url: str, sql: str, **params: Any) -> list[Any]:
    """Run one SQL statement on a test database and return its rows (a short-lived engine, no pool left over)."""
    engine = sa.create_engine(database_url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection:
            return list(connection.execute(sa.text(sql), params))
    finally:
        engine.dispose()


# --------------------------------------------------------------------------------------------- Redis


def redis_connection(db_number: int) -> Any:
    """A Redis client on a dedicated database number; fails clearly when Redis is not running."""
    from redis import Redis
    from redis.exceptions import RedisError

    url = f"{REDIS_HOST_URL}/{db_number}"
    connection = Redis.from_url(url, socket_connect_timeout=3)
    try:
        connection.ping()
    except RedisError as exc:
        pytest.fail(
            f"Redis is not reachable at {url} ({exc}). The system and browser tests need it: start redis-server "
            "on 127.0.0.1:6379 or set FEDISCIENCE_TEST_REDIS_URL.",
            pytrace=False,
        )
    return connection


def queue_keys(connection: Any, queue_name: str) -> list[bytes]:
    """Every RQ key that belongs to this queue: the queue and its registries, its jobs, their results and
    executions, and the workers that listened to it."""
    name = queue_name.encode()
    own, job_ids = [], set()
    for key in connection.scan_iter(match=b"rq:*", count=1000):
        if name in key:
            own.append(key)
        elif key.startswith(b"rq:job:") and connection.type(key) == b"hash":
            if connection.hget(key, "origin") == name:
                own.append(key)
                job_ids.add(key[len(b"rq:job:"):])
        elif key.startswith(b"rq:worker:") and connection.type(key) == b"hash":
            queues = (connection.hget(key, "queues") or b"").split(b",")
            if name in queues:
                own.append(key)
    if job_ids:
        for key in connection.scan_iter(match=b"rq:*", count=1000):
            if key not in own and any(job_id in key for job_id in job_ids):
                own.append(key)
    return own


def delete_queue_keys(connection: Any, queue_name: str) -> int:
    """Delete the keys of queue_keys(); also forget its workers in the global worker set. Returns the count."""
    keys = queue_keys(connection, queue_name)
    workers = [key for key in keys if key.startswith(b"rq:worker:")]
    if workers:
        connection.srem("rq:workers", *workers)
    connection.srem("rq:queues", f"rq:queue:{queue_name}")
    if keys:
        connection.delete(*keys)
    return len(keys)


def queue_is_gone(connection: Any, queue_name: str) -> bool:
    """True when Redis holds nothing of this queue any more (keys, jobs, workers, its entry in rq:queues)."""
    return not queue_keys(connection, queue_name) and not connection.sismember("rq:queues", f"rq:queue:{queue_name}")


def unique_queue_name(kind: str) -> str:
    """A queue name no other test run uses."""
    return f"fs-{kind}-{os.getpid()}-{uuid.uuid4().hex[:8]}"


# --------------------------------------------------------------------------------------------- processes

SERVICES: list["Service"] = []
"""Processes started by the harness and not yet disposed of: their logs go into failure reports."""


class Service:
    """A `fediscience …` process with stdout/stderr captured to files in a test's temporary folder."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], log_dir: Path) -> None:
        self.name, self.args, self.env = name, args, env
        self.stdout_path = log_dir / f"{name}.stdout.log"
        self.stderr_path = log_dir / f"{name}.stderr.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> "Service":
        """Start the process (in its own session, so a terminal's Ctrl-C does not reach it)."""
        self.stdout_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.stdout_path, "ab") as out, open(self.stderr_path, "ab") as err:
            self.process = subprocess.Popen(
                self.args, env=self.env, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                cwd=self.stdout_path.parent, start_new_session=True,
            )
        if self not in SERVICES:
            SERVICES.append(self)
        return self

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def check_alive(self) -> None:
        """Fail (with the logs) when the process has exited."""
        if self.process is not None and self.process.poll() is not None:
            pytest.fail(f"{self.name} exited with status {self.process.returncode}\n{self.logs()}", pytrace=False)

    def stop(self, timeout: float = 10.0) -> int | None:
        """SIGTERM, then SIGKILL after `timeout` seconds; returns the exit status."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout)
        return self.process.returncode

    def dispose(self) -> None:
        """Stop the process and forget it (its logs stay on disk)."""
        try:
            self.stop()
        finally:
            if self in SERVICES:
                SERVICES.remove(self)

    def logs(self, limit: int = 20_000) -> str:
        """The tail of the captured stdout and stderr."""
        parts = []
        for label, path in (("stdout", self.stdout_path), ("stderr", self.stderr_path)):
            text = path.read_text(errors="replace") if path.exists() else ""
            if len(text) > limit:
                text = "…" + text[-limit:]
            parts.append(f"----- {self.name} {label} ({path}) -----\n{text}")
        return "\n".join(parts)

    def output(self) -> str:
        """The whole captured stdout and stderr."""
        return "".join(p.read_text(errors="replace") for p in (self.stdout_path, self.stderr_path) if p.exists())


def attach_service_logs(item: pytest.Item, call: pytest.CallInfo[None], report: pytest.TestReport) -> None:
    """Put the logs of the harness's live processes into a failed setup or call report."""
    if report.failed and report.when in ("setup", "call"):
        for service in SERVICES:
            report.sections.append((f"process log: {service.name}", service.logs()))


def app_env(*, database_url: str, instance_path: Path, recorded_base: str, base_url: str,
            redis_url: str | None = None, queue_name: str | None = None, **extra: str) -> dict[str, str]:
    """The environment of a `fediscience` process: this test's database, Redis queue and recorded sources;
    no FEDISCIENCE_* variable of the developer's shell leaks in."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("FEDISCIENCE_")}
    env.update(
        PYTHONUNBUFFERED="1",
        FEDISCIENCE_DATABASE_URL=database_url,
        FEDISCIENCE_SECRET_KEY=TEST_SECRET,
        FEDISCIENCE_INSTANCE_PATH=str(instance_path),
        FEDISCIENCE_BASE_URL=base_url,
        FEDISCIENCE_ARXIV_API_URL=f"{recorded_base}/arxiv/api/query",
        FEDISCIENCE_CROSSREF_API_URL=f"{recorded_base}/crossref",
        FEDISCIENCE_DBLP_API_URL=f"{recorded_base}/dblp",
        FEDISCIENCE_HTTP_TIMEOUT="5",
    )
    if redis_url:
        env["FEDISCIENCE_REDIS_URL"] = redis_url
    if queue_name:
        env["FEDISCIENCE_QUEUE_NAME"] = queue_name
    env.update({f"FEDISCIENCE_{key.upper()}": value for key, value in extra.items()})
    return env


def start_server(env: dict[str, str], port: int, log_dir: Path, name: str = "serve") -> Service:
    """Start `fediscience serve` on 127.0.0.1:port and wait until it answers its home page."""
    service = Service(name, [fediscience_executable(), "serve", "--host", "127.0.0.1", "--port", str(port)],
                      env, log_dir).start()

    def ready() -> bool:
        return httpx.get(f"http://127.0.0.1:{port}/", timeout=2).status_code == 200

    try:
        wait_for(f"{name} to answer on port {port}", ready, alive=service.check_alive)
    except BaseException:
        service.dispose()
        raise
    return service


def start_worker(env: dict[str, str], redis: Any, queue_name: str, log_dir: Path, name: str = "worker") -> Service:
    """Start `fediscience worker` and wait until it has registered itself on the queue in Redis."""
    before = set(redis.smembers(f"rq:workers:{queue_name}"))
    service = Service(name, [fediscience_executable(), "worker"], env, log_dir).start()
    try:
        wait_for(f"{name} to register on RQ queue {queue_name}",
                 lambda: set(redis.smembers(f"rq:workers:{queue_name}")) - before, alive=service.check_alive)
    except BaseException:
        service.dispose()
        raise
    return service


def run_cli(env: dict[str, str], *args: str, timeout: float = 60.0, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run `fediscience ARGS…` to completion and return its result (text output)."""
    return subprocess.run(
        [fediscience_executable(), *args], env=env, cwd=cwd, capture_output=True, text=True,
        timeout=timeout, stdin=subprocess.DEVNULL,
    )


def describe(result: subprocess.CompletedProcess[str]) -> str:
    """A CLI result for assertion messages."""
    return f"exit {result.returncode}\n--- stdout ---\n{result.stdout}\n--- stderr ---\n{result.stderr}"


# --------------------------------------------------------------------------------------------- HTTP


class WebClient:
    """A browser-like httpx client of a served instance: keeps cookies, reads CSRF tokens from forms."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.http = httpx.Client(base_url=base_url, follow_redirects=False, timeout=10)

    def close(self) -> None:
        self.http.close()

    def csrf_token(self, page: str) -> str:
        response = self.http.get(page)
        assert response.status_code == 200, f"GET {page}: {response.status_code}\n{response.text[:2000]}"
        match = CSRF.search(response.text)
        assert match, f'no name="csrf_token" field on {page}:\n{response.text[:2000]}'
        return match.group(1)

    def submit(self, page: str, data: dict[str, str], action: str | None = None) -> httpx.Response:
        """GET the form page for a token, then POST the form (to `action`, default the page itself)."""
        token = self.csrf_token(page)
        return self.http.post(action or page, data={"csrf_token": token, **data})

    def register(self, username: str, password: str = PASSWORD) -> None:
        response = self.submit("/register", {"username": username, "email": f"{username}@example.org",
                                             "password": password})
        assert response.status_code == 302, f"registration failed: {response.status_code}\n{response.text[:3000]}"
        home = self.http.get(response.headers["location"])
        assert username in home.text, "the new user is not shown as logged in"

"""Fan-out of one summary to 10,000 followers on 500 instances, against the time to RSA-sign 500 strings.

Issue 4's first number. One local process answers 202 on 500 ports of 127.0.0.1 (an asyncio server in a
subprocess: 500 simulated instances); 10,000 remote followers are spread over them, 20 per instance behind its
shared inbox, so a publish means 500 distinct inboxes and 500 POSTs. A real `fediscience worker` (RQ on Redis,
PostgreSQL in a scratch database) runs the delivery job. Each round is timed from the publish call (reading the
followers' inboxes, writing the activity and its 500 delivery rows, commit, enqueue) to the last 202 the
server sends, and divided by the time to RSA-sign 500 signing strings on one core, measured in the same run.
Redis commands per delivered POST come from MONITOR on the bench's Redis database (13) in a separate round,
from the publish call until the worker is idle again. The database gets ANALYZE after it is filled, as a live
instance's autovacuum would have done.

On a machine shared with other work, read the ranges: with Linux autogroup (`/proc/sys/kernel/
sched_autogroup_enabled`) the bench, its worker, the signing helpers and the simulated instances share one
session's slice of the CPU, so when other sessions keep the cores busy the ratio tends to the fan-out's CPU time
over the signing CPU time, whatever runs in parallel; only with idle cores does parallel signing show.
Never part of CI.

    .venv/bin/python bench/fanout.py                  # 5 rounds with warm connections, 5 with fresh ones
    .venv/bin/python bench/fanout.py --rounds 3 --hosts 500 --followers 10000
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
ADMIN_URL = os.environ.get("FEDISCIENCE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
# Not 14: bench/inbox.py flushes that one, and MONITOR would count its commands as ours.
REDIS_URL = os.environ.get("FEDISCIENCE_BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
DATABASE = "fs_bench_fanout"
BASE_URL = "http://127.0.0.1:5998"


# The 500 simulated instances (run with --serve) -----------------------------------------------------------


class _Inbox(asyncio.Protocol):
    """A minimal HTTP/1.1 inbox: reads each request (headers and Content-Length body), answers 202."""

    counter: dict[str, Any]

    def connection_made(self, transport: Any) -> None:
        self.transport, self.buffer = transport, b""

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while (end := self.buffer.find(b"\r\n\r\n")) >= 0:
            head = self.buffer[:end].lower()
            start = head.find(b"content-length:")
            length = int(head[start + 15:].split(b"\r\n", 1)[0]) if start >= 0 else 0
            if len(self.buffer) < end + 4 + length:
                return
            self.buffer = self.buffer[end + 4 + length:]
            close = self.counter["close"]
            self.transport.write(b"HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n"
                                 + (b"Connection: close\r\n\r\n" if close else b"\r\n"))
            self._count()
            if close:
                self.transport.close()

    def _count(self) -> None:
        counter = self.counter
        counter["seen"] += 1
        if counter["seen"] == counter["expected"]:
            print(f"done {time.time():.6f}", flush=True)
            counter["seen"] = 0


async def _serve(hosts: int) -> None:
    loop = asyncio.get_running_loop()
    counter: dict[str, Any] = {"seen": 0, "expected": hosts, "close": False}
    _Inbox.counter = counter
    ports = []
    for _ in range(hosts):
        server = await loop.create_server(_Inbox, "127.0.0.1", 0, backlog=128)
        ports.append(server.sockets[0].getsockname()[1])
    print(json.dumps(ports), flush=True)
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while line := (await reader.readline()).decode().strip():  # commands: "close on|off", "reset"
        if line.startswith("close"):
            counter["close"] = line.endswith("on")
        counter["seen"] = 0
        print("ok", flush=True)


# Setup -----------------------------------------------------------------------------------------------------


def settings_env(database_url: str) -> dict[str, str]:
    """The environment of both the bench app and its worker."""
    return {
        **os.environ, "FEDISCIENCE_DATABASE_URL": database_url, "FEDISCIENCE_REDIS_URL": REDIS_URL,
        "FEDISCIENCE_BASE_URL": BASE_URL, "FEDISCIENCE_ALLOW_PRIVATE_ADDRESSES": "true",
        "FEDISCIENCE_SECRET_KEY": "bench-secret-key-long-enough", "FEDISCIENCE_SWEEPER_INTERVAL": "3600",
        "FEDISCIENCE_INSTANCE_PATH": "/tmp/fs-bench-fanout", "FEDISCIENCE_QUEUE_NAME": "fediscience-bench-fanout",
    }


def fresh_database() -> str:
    """A new scratch database on the machine's PostgreSQL."""
    admin = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))
        connection.execute(sa.text(f'CREATE DATABASE "{DATABASE}"'))
    admin.dispose()
    return ADMIN_URL.rsplit("/", 1)[0] + f"/{DATABASE}"


def populate(ports: list[int], followers: int) -> int:
    """The author and its followers (spread evenly over the instances); returns the author's actor id."""
    from fediscience.activitypub import generate_key_pair
    from fediscience.db import db, new_public_id, utcnow
    from fediscience.federation import urls
    from fediscience.federation.models import Follow
    from fediscience.users.models import Actor

    pair, now = generate_key_pair(), utcnow()
    author = Actor(local=True, username="author", private_key_pem=pair.private_pem, public_key_pem=pair.public_pem)
    db.session.add(author)
    db.session.flush()
    author.key_id = urls.key_id(author)
    rows = []
    for n in range(followers):
        base = f"http://127.0.0.1:{ports[n % len(ports)]}"
        rows.append({"public_id": new_public_id(), "local": False, "username": f"f{n}", "domain": base[7:],
                     "uri": f"{base}/users/f{n}", "inbox_url": f"{base}/users/f{n}/inbox",
                     "shared_inbox_url": f"{base}/inbox", "created_at": now, "updated_at": now})
    db.session.execute(sa.insert(Actor.__table__), rows)
    ids = db.session.scalars(sa.select(Actor.id).where(~Actor.local)).all()
    db.session.execute(sa.insert(Follow.__table__), [
        {"follower_id": i, "followee_id": author.id, "state": "accepted", "created_at": now} for i in ids])
    db.session.commit()
    with db.engine.connect() as connection:  # the statistics a live instance's autovacuum would have gathered
        connection.execution_options(isolation_level="AUTOCOMMIT").execute(sa.text("ANALYZE"))
    return author.id


# Measurements ------------------------------------------------------------------------------------------


def sign_baseline(author_id: int, count: int) -> float:
    """Seconds to RSA-sign `count` POST signing strings with the author's key on one core."""
    from fediscience.activitypub import load_private_key
    from fediscience.activitypub.signatures import sign_bytes
    from fediscience.db import db
    from fediscience.users.models import Actor

    key = load_private_key(db.session.get(Actor, author_id).private_key_pem)
    strings = [(f"(request-target): post /inbox\nhost: 127.0.0.1:{20000 + n}\ndate: Sun, 01 Jun 2025 12:00:00 GMT\n"
                f"digest: SHA-256=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\ncontent-type: application/activity+json"
                ).encode() for n in range(count)]
    started = time.perf_counter()
    for text in strings:
        sign_bytes(key, text)
    return time.perf_counter() - started


def publish(author_id: int, n: int) -> int:
    """What publishing a summary does for federation: followers' inboxes, send_activity, commit."""
    from fediscience.db import db
    from fediscience.federation import urls
    from fediscience.federation.outbox import send_activity
    from fediscience.federation.recipients import follower_inboxes
    from fediscience.users.models import Actor

    author = db.session.get(Actor, author_id)
    actor = urls.actor_url(author)
    payload = {"@context": "https://www.w3.org/ns/activitystreams", "id": f"{actor}/bench/{n}/{time.time_ns()}",
               "type": "Create", "actor": actor, "to": ["https://www.w3.org/ns/activitystreams#Public"],
               "object": {"id": f"{actor}/notes/{n}", "type": "Note", "content": "<p>" + "summary text " * 120 + "</p>"}}
    activity = send_activity(author, payload, follower_inboxes(author))
    db.session.commit()
    return activity.id


def timed_round(server: subprocess.Popen[str], author_id: int, n: int) -> tuple[float, float]:
    """Seconds from the publish call to the server's last 202, and seconds the publish call took."""
    started = time.time()
    publish(author_id, n)
    published = time.time()
    line = server.stdout.readline().split()  # type: ignore[union-attr]
    assert line[0] == "done", line
    return float(line[1]) - started, published - started


def worker_idle(poll: Any) -> bool:
    """True when the bench queue is empty and no job is running."""
    from rq import Queue
    from rq.registry import StartedJobRegistry

    queue = Queue(settings_env("")["FEDISCIENCE_QUEUE_NAME"], connection=poll)
    return queue.count == 0 and StartedJobRegistry(queue=queue).count == 0


def wait_until_idle(poll: Any) -> None:
    """Wait (up to 30 s) until the worker has finished every job, its bookkeeping included."""
    deadline = time.monotonic() + 30
    while not worker_idle(poll) and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.1)  # the worker's last heartbeat and state change after the job left the registry


def count_redis_commands(server: subprocess.Popen[str], author_id: int, n: int, db_index: int) -> Counter[str]:
    """Redis commands on the bench database from the publish call until the worker is idle again.

    The bench's own polling connection is left out of the count.
    """
    from redis import Redis

    poll = Redis.from_url(REDIS_URL)
    own_port = int(poll.client_info()["addr"].rsplit(":", 1)[1])
    wait_until_idle(poll)  # the previous round's job must not be counted
    seen: list[str] = []
    stop = threading.Event()
    monitor_ready = threading.Event()

    def watch() -> None:
        with Redis.from_url(REDIS_URL).monitor() as monitor:
            monitor_ready.set()
            for command in monitor.listen():
                if stop.is_set():
                    return
                if command.get("db") == db_index and int(command.get("client_port") or 0) != own_port:
                    seen.append(command["command"].split(" ", 1)[0].upper())

    threading.Thread(target=watch, daemon=True).start()
    monitor_ready.wait()
    time.sleep(0.2)
    seen.clear()
    publish(author_id, n)
    server.stdout.readline()  # type: ignore[union-attr]
    wait_until_idle(poll)
    stop.set()
    Redis.from_url(REDIS_URL).ping()  # wakes the monitor so it sees `stop`
    return Counter(seen)


def command(server: subprocess.Popen[str], text: str) -> None:
    """Send a control line to the server."""
    server.stdin.write(text + "\n")  # type: ignore[union-attr]
    server.stdin.flush()  # type: ignore[union-attr]
    assert server.stdout.readline().strip() == "ok"  # type: ignore[union-attr]


def main() -> None:
    """Set up, run the rounds, print the figures and the ratios."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hosts", type=int, default=500)
    parser.add_argument("--followers", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        asyncio.run(_serve(args.serve))
        return
    run(args)


def run(args: argparse.Namespace) -> None:
    """The whole benchmark."""
    from redis import Redis

    from fediscience import create_app
    from fediscience.migrate import upgrade

    database_url = fresh_database()
    env = settings_env(database_url)
    os.environ.update({k: v for k, v in env.items() if k.startswith("FEDISCIENCE_")})
    Redis.from_url(REDIS_URL).flushdb()
    server = subprocess.Popen([sys.executable, __file__, "--serve", str(args.hosts)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    ports = json.loads(server.stdout.readline())  # type: ignore[union-attr]
    app = create_app()
    upgrade(app)
    Path("/tmp/fs-bench-fanout").mkdir(exist_ok=True)
    log = open("/tmp/fs-bench-fanout/worker.log", "w")  # noqa: SIM115 - open for the worker's lifetime
    worker = subprocess.Popen([str(ROOT / ".venv/bin/fediscience"), "worker"], env=env, cwd=ROOT,
                              stdout=log, stderr=subprocess.STDOUT)
    try:
        with app.app_context():
            author_id = populate(ports, args.followers)
            measure(app, server, author_id, args)
    finally:
        worker.terminate()
        server.terminate()
        worker.wait(10)
        with app.app_context():
            from fediscience.db import db

            db.engine.dispose()
        drop = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
        with drop.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))
        drop.dispose()


def measure(app: Any, server: subprocess.Popen[str], author_id: int, args: argparse.Namespace) -> None:
    """Warm up, then time rounds with kept-alive and with fresh connections, then count Redis commands."""
    timed_round(server, author_id, 0)  # the worker loads the key and opens its pool
    figures: dict[str, list[tuple[float, float, float]]] = {"kept-alive connections": [], "fresh connections": []}
    n = 1
    for label, close in (("kept-alive connections", "off"), ("fresh connections", "on")):
        command(server, f"close {close}")
        if close == "on":
            timed_round(server, author_id, n)  # drop the kept-alive connections first
            n += 1
        for _ in range(args.rounds):
            signing = sign_baseline(author_id, args.hosts)
            figures[label].append((*timed_round(server, author_id, n), signing))
            n += 1
            time.sleep(0.3)
    command(server, "close off")
    db_index = int(REDIS_URL.rsplit("/", 1)[1])
    by_name = count_redis_commands(server, author_id, n, db_index)
    commands = sum(by_name.values())
    print(f"\nfan-out: {args.followers} followers on {args.hosts} instances -> {args.hosts} POSTs per publish "
          f"(cpus: {os.cpu_count()}, load average at the end: {os.getloadavg()[0]:.1f})")
    for label, rounds in figures.items():
        ratios = [fanout / signing for fanout, _, signing in rounds]
        print(f"  {label:24} publish→last 202 median {statistics.median(r[0] for r in rounds) * 1000:7.1f} ms "
              f"(publish call {statistics.median(r[1] for r in rounds) * 1000:5.1f} ms); "
              f"sign {args.hosts} median {statistics.median(r[2] for r in rounds) * 1000:6.1f} ms; "
              f"ratio median {statistics.median(ratios):.2f}× (min {min(ratios):.2f}×, max {max(ratios):.2f}×)  "
              "goal ≤ 1.5×")
    print(f"  Redis commands for one publish: {commands} -> {commands / args.hosts:.3f} per delivered POST  "
          "goal ≤ 0.5")
    print("    by command: " + ", ".join(f"{name} {count}" for name, count in by_name.most_common()))


if __name__ == "__main__":
    main()

"""Inbox throughput: signed 1 KB Creates accepted per second by 2 gunicorn workers, ÷ a no-op POST route.

Creates a dedicated PostgreSQL database, stores a remote actor (so its key is cached: no fetch), serves the app
with `gunicorn -w 2` (RQ on Redis database 14 as the job runner; no worker runs, so the queue only shows how many
drain jobs were queued: at most one), and POSTs pre-signed requests from a few client threads over raw sockets. Each
round interleaves ten slices of every route (in alternating order), so a change in the machine's load hits all of
them alike. Then times each step of one delivery in-process, next to what the previous design paid instead. Never
part of CI.

The accept path measured: Date/Digest/signature checks, the signer's key and the blocked domains from in-process
caches, one `INSERT … ON CONFLICT DO NOTHING` on an autocommit connection with asynchronous commit, and a Redis
`SET NX` that queues a drain job only when none is queued (federation/inbox.py, inbox_store.py, jobs/inbox.py).

`--variants` adds two routes of the same app for comparison: the inbox's verification alone (a floor for any
design), and verification + one pipelined Redis round trip (LPUSH of the body + SET NX), the cost of a design that
would buffer inbound activities in Redis and insert them in bulk from the worker (not what the app does).

    .venv/bin/python bench/inbox.py                    # 3 rounds of 1500 requests per route
    .venv/bin/python bench/inbox.py --requests 500 --rounds 1 --concurrency 4
    .venv/bin/python bench/inbox.py --requests 600 --rounds 3 --variants
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
ADMIN_URL = os.environ.get("FEDISCIENCE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
DATABASE = "fs_bench_inbox"
REDIS_URL = "redis://127.0.0.1:6379/14"
REMOTE = "https://remote.example/users/bench"


def wsgi_app() -> Any:
    """The app as gunicorn serves it, plus the no-op POST route the inbox is compared with and the variants."""
    from flask import Response, current_app, request
    from redis import Redis

    from fediscience import create_app
    from fediscience.activitypub import SignedRequest, check_request
    from fediscience.activitypub.signatures import host_of
    from fediscience.app import csrf
    from fediscience.federation.inbox import parse_body, refuse_blocked, verified_signer
    from fediscience.web.inbox import raw_target

    app = create_app()
    redis = Redis.from_url(REDIS_URL)

    @app.post("/bench/noop")
    @csrf.exempt
    def noop() -> Response:
        request.get_data()
        return Response(status=202)

    def verified() -> bytes:
        signed = SignedRequest("POST", raw_target(), list(request.headers.items()), request.get_data())
        params = check_request(signed, expected_host=host_of(current_app.extensions["fediscience.settings"].base_url))
        activity = parse_body(signed.body or b"")
        refuse_blocked((params.key_id, activity.actor))
        assert verified_signer(signed, params) == activity.actor
        return signed.body or b""

    @app.post("/bench/verified")
    @csrf.exempt
    def verified_only() -> Response:
        verified()
        return Response(status=202)

    @app.post("/bench/verified-lpush")
    @csrf.exempt
    def verified_lpush() -> Response:
        body = verified()
        pipeline = redis.pipeline(transaction=False)
        pipeline.lpush("bench-inbox-buffer", body)
        pipeline.set("bench-inbox-drain", b"1", nx=True, ex=60)
        pipeline.execute()
        return Response(status=202)

    return app


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _environment(port: int, instance: str) -> dict[str, str]:
    url = ADMIN_URL.rsplit("/", 1)[0] + f"/{DATABASE}"
    return {
        **os.environ, "FEDISCIENCE_DATABASE_URL": url, "FEDISCIENCE_REDIS_URL": REDIS_URL,
        "FEDISCIENCE_BASE_URL": f"http://127.0.0.1:{port}", "FEDISCIENCE_SECRET_KEY": "bench-secret-key-long-enough",
        "FEDISCIENCE_INSTANCE_PATH": instance, "FEDISCIENCE_ALLOW_PRIVATE_ADDRESSES": "true",
    }


def prepare(env: dict[str, str], async_commit: bool) -> Any:
    """A fresh database with the remote actor cached; returns the app and the actor's key pair."""
    from fediscience import create_app
    from fediscience.activitypub import generate_key_pair
    from fediscience.db import db
    from fediscience.migrate import upgrade
    from fediscience.users.models import Actor

    admin = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))
        connection.execute(sa.text(f'CREATE DATABASE "{DATABASE}"'))
        if async_commit:  # what an asynchronous commit of inbox items would gain (not what the app does)
            connection.execute(sa.text(f'ALTER DATABASE "{DATABASE}" SET synchronous_commit = off'))
    os.environ.update(env)
    app = create_app()
    upgrade(app)
    keys = generate_key_pair()
    with app.app_context():
        db.session.add(Actor(local=False, username="bench", domain="remote.example", uri=REMOTE,
                             inbox_url=f"{REMOTE}/inbox", key_id=f"{REMOTE}#main-key", public_key_pem=keys.public_pem))
        db.session.commit()
        db.engine.dispose()
    return app, keys


def create_body(number: int, run: str) -> bytes:
    """A Create of a public Note, about 1 KB."""
    note = {
        "id": f"{REMOTE}/notes/{run}-{number}", "type": "Note", "attributedTo": REMOTE,
        "to": ["https://www.w3.org/ns/activitystreams#Public"], "cc": [f"{REMOTE}/followers"],
        "content": "<p>" + ("A summary of a paper with some maths in it. " * 16) + "</p>",
    }
    activity = {"@context": "https://www.w3.org/ns/activitystreams", "id": f"{note['id']}/activity",
                "type": "Create", "actor": REMOTE, "object": note}
    return json.dumps(activity).encode()


def raw_request(path: str, host: str, headers: dict[str, str], body: bytes) -> bytes:
    """The bytes of one HTTP/1.1 POST."""
    lines = [f"POST {path} HTTP/1.1", f"Host: {host}", f"Content-Length: {len(body)}", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in headers.items() if name.lower() != "host"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def signed_requests(count: int, port: int, keys: Any, run: str, path: str = "/inbox") -> list[bytes]:
    """`count` POSTs to `path`, each a distinct Create, signed in advance (signing is not what is measured)."""
    from fediscience.activitypub import load_private_key, sign_request

    private = load_private_key(keys.private_pem)
    url, host = f"http://127.0.0.1:{port}{path}", f"127.0.0.1:{port}"
    out = []
    for number in range(count):
        body = create_body(number, run)
        headers = sign_request("POST", url, key_id=f"{REMOTE}#main-key", private_key=private, body=body)
        out.append(raw_request(path, host, headers, body))
    return out


def noop_requests(count: int, port: int) -> list[bytes]:
    """`count` POSTs of the same size to the no-op route."""
    body = create_body(0, "noop")
    headers = {"Content-Type": "application/activity+json"}
    return [raw_request("/bench/noop", f"127.0.0.1:{port}", headers, body)] * count


def send_all(port: int, requests: list[bytes], concurrency: int) -> tuple[float, dict[str, int]]:
    """Send every request from `concurrency` threads; (seconds, count per status line)."""
    statuses: dict[str, int] = {}
    lock, position = threading.Lock(), iter(range(len(requests)))

    def worker() -> None:
        while True:
            with lock:
                index = next(position, None)
            if index is None:
                return
            status = _one(port, requests[index])
            with lock:
                statuses[status] = statuses.get(status, 0) + 1

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - start, statuses


def _one(port: int, payload: bytes) -> str:
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(payload)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer.split(b"\r\n", 1)[0].decode()[9:12]


def wait_until_up(port: int, timeout: float = 30) -> None:
    """Wait until the server answers."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("gunicorn did not start")


def breakdown(app: Any, keys: Any, port: int, repeat: int = 300) -> dict[str, float]:
    """Milliseconds per step of one delivery, in-process (the same code paths as the view), and what the
    alternatives cost (the uncached look-ups, a synchronous commit, one RQ job per item)."""
    from redis import Redis
    from rq import Queue
    from sqlalchemy import select

    from fediscience.activitypub import SignedRequest, check_request, load_private_key, sign_request
    from fediscience.db import db, utcnow
    from fediscience.federation.inbox import parse_body, refuse_blocked, verified_signer
    from fediscience.federation.inbox_store import insert_item
    from fediscience.federation.models import InboxItem, RemoteHost
    from fediscience.jobs.inbox import request_drain
    from fediscience.users.models import Actor

    private = load_private_key(keys.private_pem)
    url = f"http://127.0.0.1:{port}/inbox"
    prepared = []
    for number in range(repeat):
        body = create_body(number, "breakdown")
        headers = sign_request("POST", url, key_id=f"{REMOTE}#main-key", private_key=private, body=body)
        prepared.append(SignedRequest("POST", "/inbox", headers, body))
    results: dict[str, float] = {}

    def timed(name: str, step: Callable[[SignedRequest], Any]) -> None:
        start = time.perf_counter()
        for request in prepared:
            step(request)
        results[name] = (time.perf_counter() - start) * 1000 / repeat

    def values(request: SignedRequest, tag: str) -> dict[str, Any]:
        activity = parse_body(request.body)
        return {"activity_uri": f"{activity.id}/{tag}", "actor_uri": activity.actor, "activity_type": activity.type,
                "payload": activity.raw, "status": "pending", "attempts": 0, "received_at": utcnow()}

    def session_insert_commit(request: SignedRequest) -> None:
        db.session.add(InboxItem(**values(request, "orm")))
        db.session.commit()

    host = f"127.0.0.1:{port}"
    blocked = select(RemoteHost.host).where(RemoteHost.host.in_(["remote.example"]), RemoteHost.blocked).limit(1)
    with app.app_context():
        timed("check_request (Date, Digest, headers)", lambda r: check_request(r, expected_host=host))
        timed("parse JSON + read_activity", lambda r: parse_body(r.body))
        timed("domain blocks (in-process set)", lambda r: refuse_blocked([REMOTE]))
        timed("signer key (in-process) + RSA verify", lambda r: verified_signer(r, check_request(r)))
        timed("INSERT … ON CONFLICT RETURNING, autocommit, async commit", lambda r: insert_item(values(r, "lean")))
        connection = Redis.from_url(REDIS_URL)
        timed("drain flag: Redis SET NX (a drain is queued or running)", lambda r: request_drain(app))
        connection.delete(*connection.keys("fediscience:inbox-drain:*"))
        timed("instead: domain block query (session)", lambda r: (db.session.scalar(blocked), db.session.commit()))
        key_id = f"{REMOTE}#main-key"
        key_row = select(Actor).where(Actor.key_id == key_id)
        timed("instead: key row query (session)", lambda r: (db.session.scalar(key_row), db.session.commit()))
        timed("instead: ORM INSERT + synchronous COMMIT", session_insert_commit)
        queue = Queue("bench-breakdown", connection=connection)
        timed("instead: rq.enqueue (one job per item)", lambda r: queue.enqueue(print, 1))
        timed("instead: Redis LPUSH of the body", lambda r: connection.lpush("bench-lpush", r.body))
        db.engine.dispose()
    return results


SLICES = 10


def measure_round(
    port: int, keys: Any, routes: list[str], requests: int, concurrency: int, tag: str
) -> dict[str, float]:
    """Requests per second of each route over one round of SLICES interleaved slices."""
    size = max(1, requests // SLICES)
    seconds = dict.fromkeys(routes, 0.0)
    for number in range(SLICES):
        for route in routes if number % 2 == 0 else routes[::-1]:
            if route == "/bench/noop":
                batch = noop_requests(size, port)
            else:
                batch = signed_requests(size, port, keys, f"{tag}-{number}-{route.rsplit('/', 1)[1]}", route)
            took, statuses = send_all(port, batch, concurrency)
            assert statuses == {"202": size}, (route, statuses)
            seconds[route] += took
    return {route: SLICES * size / seconds[route] for route in routes}


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1500, help="requests per route per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=6)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--variants", action="store_true", help="also measure verification alone and + a Redis LPUSH")
    parser.add_argument("--async-commit", action="store_true",
                        help="the whole database with synchronous_commit = off (the inbox INSERT already is)")
    args = parser.parse_args()

    port = _free_port()
    instance = tempfile.mkdtemp(prefix="fs-bench-inbox-")
    env = _environment(port, instance)
    app, keys = prepare(env, args.async_commit)
    from redis import Redis

    Redis.from_url(REDIS_URL).flushdb()
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "--pythonpath", str(ROOT), "-w", str(args.workers),
         "-b", f"127.0.0.1:{port}", "--chdir", str(ROOT / "bench"), "--log-level", "warning", "inbox:wsgi_app()"],
        env=env,
    )
    routes = ["/bench/noop", "/inbox"] + (["/bench/verified", "/bench/verified-lpush"] if args.variants else [])
    try:
        wait_until_up(port)
        for route in routes:  # warm up every route
            warm = noop_requests(200, port) if route == "/bench/noop" else signed_requests(200, port, keys, "w", route)
            send_all(port, warm, args.concurrency)
        ratios: dict[str, list[float]] = {route: [] for route in routes[1:]}
        for round_number in range(args.rounds):
            rates = measure_round(port, keys, routes, args.requests, args.concurrency, f"round{round_number}")
            for route in routes[1:]:
                ratios[route].append(rates[route] / rates["/bench/noop"])
            print(f"round {round_number + 1}: " + "   ".join(
                f"{route} {rates[route]:5.0f}/s" + (f" ({ratios[route][-1]:.2f})" if route in ratios else "")
                for route in routes))
        stored = sa.create_engine(env["FEDISCIENCE_DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://"))
        with stored.connect() as connection:
            items = connection.scalar(sa.text("SELECT count(*) FROM inbox_items"))
        stored.dispose()
        jobs = Redis.from_url(REDIS_URL).llen("rq:queue:fediscience")
        print()
        for route, values in ratios.items():
            ordered = sorted(values)
            print(f"{route}: ratio to the no-op median {ordered[len(ordered) // 2]:.2f}, range "
                  f"{ordered[0]:.2f}–{ordered[-1]:.2f}" + ("  (goal ≥ 0.6)" if route == "/inbox" else ""))
        print(f"stored inbox items: {items}; RQ jobs waiting: {jobs} (drain jobs, coalesced)")
    finally:
        server.terminate()
        server.wait(10)
    print("\nper delivery, in-process (ms):")
    for name, value in breakdown(app, keys, port).items():
        print(f"  {value:6.3f}  {name}")
    Redis.from_url(REDIS_URL).flushdb()


if __name__ == "__main__":
    main()

"""Browsing latency on a large PostgreSQL database: paper page, venue/year page, home tabs and search.

Fills a dedicated PostgreSQL database with synthetic data (200k papers, 1M summaries, 3M votes, 2M comments by
default) using set-based SQL, serves it with `fediscience serve`, and reports p50/p95 of each page next to the
trivial `/healthz` route measured in the same run. Never part of CI.

    .venv/bin/python bench/browse_latency.py                       # fill (once) and measure
    .venv/bin/python bench/browse_latency.py --scale 0.05          # a quick small run
    .venv/bin/python bench/browse_latency.py --refill --requests 300
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
ADMIN_URL = os.environ.get("FEDISCIENCE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
WORDS = (
    "gradient descent network layer convolution attention transformer residual loss adversarial robustness "
    "bayesian inference variational posterior kernel matrix factorization embedding graph reinforcement policy "
    "reward entropy dropout batch normalization optimizer momentum generalization benchmark dataset vision "
    "language translation segmentation detection sparse low rank manifold diffusion generative contrastive"
).split()


def counts(scale: float) -> dict[str, int]:
    """Row counts at this scale (1.0 = the issue's figures)."""
    return {
        "papers": int(200_000 * scale), "summaries": int(1_000_000 * scale), "votes": int(3_000_000 * scale),
        "comments": int(2_000_000 * scale), "users": max(int(50_000 * scale), 10), "venues": 500,
    }


def database_url(name: str) -> str:
    """The URL of a database on the admin server."""
    return ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


def create_database(name: str, refill: bool) -> bool:
    """Create the bench database; returns True when it must be filled."""
    admin = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if exists and not refill:
            return False
        if exists:
            connection.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    return True


def run_cli(env: dict[str, str], *args: str) -> None:
    """Run a fediscience command, failing loudly."""
    subprocess.run([str(ROOT / ".venv/bin/fediscience"), *args], env=env, check=True, cwd=ROOT)


FILL_STATEMENTS = [
    "SELECT setseed(0.42)",
    # users and their actors
    """INSERT INTO actors (id, public_id, local, username, display_name, bio, created_at, updated_at)
       SELECT g, 'a' || lpad(g::text, 11, '0'), true, 'user' || g, 'User ' || g, '', now(), now()
       FROM generate_series(1, :users) g""",
    """INSERT INTO users (id, actor_id, username_key, email, password_hash, is_admin, created_at, updated_at)
       SELECT g, g, 'user' || g, 'user' || g || '@example.org', 'x', false, now(), now()
       FROM generate_series(1, :users) g""",
    """INSERT INTO venues (id, public_id, key, name, created_at)
       SELECT g, 'v' || lpad(g::text, 11, '0'), 'venue ' || g, 'Venue ' || g, now()
       FROM generate_series(1, :venues) g""",
    # papers: words drawn from a vocabulary so that search has something to find
    """INSERT INTO papers (id, public_id, title, venue, venue_id, year, abstract, keywords, arxiv_id, metadata_source,
                           authors_text, summary_count, created_at, updated_at)
       SELECT g, 'p' || lpad(g::text, 11, '0'),
              initcap(((:words)::text[])[1 + (g * 7) % :nwords] || ' ' || ((:words)::text[])[1 + (g * 13) % :nwords]
                      || ' for ' || ((:words)::text[])[1 + (g * 17) % :nwords]) || ' ' || g,
              'Venue ' || (1 + g % :venues) || ' ' || (2000 + g % 25), 1 + g % :venues, 2000 + g % 25,
              array_to_string(ARRAY(SELECT CASE WHEN s % 3 = 0 THEN ((:words)::text[])[1 + ((g * s * 31) % :nwords)]
                                                ELSE 't' || floor(power(random(), 3) * 50000)::int END
                                    FROM generate_series(1, 80) s), ' '),
              '["cs.LG"]', 'bench.' || g, 'bench', 'Author ' || (g % 20000) || ', Author ' || ((g * 7) % 20000), 0,
              now() - (g % 700) * interval '1 day', now()
       FROM generate_series(1, :papers) g""",
    """INSERT INTO paper_authors (paper_id, position, name)
       SELECT g, p, 'Author ' || ((g * (p * 6 + 1)) % 20000) FROM generate_series(1, :papers) g, generate_series(0, 1) p""",
    # votes are drawn first, so that summaries are inserted with their final scores: updating a million summary rows
    # afterwards rewrites every row and its GIN entries (the score is indexed, so no update is HOT)
    """CREATE TEMPORARY TABLE bench_votes AS
       SELECT 1 + j % :summaries AS summary_id, 1 + ((j % :summaries) * 17 + (j / :summaries) * 7919 + 1) % :users AS actor_id,
              CASE WHEN j % 5 = 0 THEN -1 ELSE 1 END AS value, now() - (j % 700) * interval '1 day' AS created_at
       FROM generate_series(0, :votes - 1) j""",
    """CREATE TEMPORARY TABLE bench_scores AS
       SELECT summary_id, count(*) FILTER (WHERE value = 1) AS up, count(*) FILTER (WHERE value = -1) AS down
       FROM bench_votes GROUP BY summary_id""",
    "CREATE UNIQUE INDEX ON bench_scores (summary_id)",
    # summaries: summary i is about paper (i % papers), by an author distinct for each round over the papers
    """INSERT INTO summaries (id, public_id, paper_id, author_id, source, html, is_draft, is_private, share_token,
                              score, upvotes, downvotes, published_at, created_at, updated_at)
       SELECT i + 1, 's' || lpad((i + 1)::text, 11, '0'), 1 + i % :papers,
              1 + ((i % :papers) * 31 + (i / :papers) * 10007) % :users,
              t, '<p>' || t || '</p><p><math><semantics><mi>x</mi><annotation encoding="application/x-tex">x</annotation></semantics></math></p>',
              i % 50 = 0, i % 47 = 0, md5(i::text), coalesce(sc.up - sc.down, 0), coalesce(sc.up, 0), coalesce(sc.down, 0),
              now() - (i % 730) * interval '1 day', now() - (i % 730) * interval '1 day', now()
       FROM (SELECT i, array_to_string(ARRAY(
                 SELECT CASE WHEN s % 3 = 0 THEN ((:words)::text[])[1 + ((i * s * 7 + s) % :nwords)]
                             ELSE 't' || floor(power(random(), 3) * 50000)::int END
                 FROM generate_series(1, 150) s), ' ') AS t
             FROM generate_series(0, :summaries - 1) i) rows
       LEFT JOIN bench_scores sc ON sc.summary_id = rows.i + 1""",
    """INSERT INTO summary_revisions (summary_id, number, source, html, created_at)
       SELECT id, 1, source, html, created_at FROM summaries""",
    """INSERT INTO votes (summary_id, actor_id, value, created_at, updated_at)
       SELECT summary_id, actor_id, value, created_at, now() FROM bench_votes""",
    """INSERT INTO comments (id, public_id, summary_id, parent_id, author_id, source, html, created_at, updated_at)
       SELECT j + 1, 'c' || lpad((j + 1)::text, 11, '0'), 1 + j % :summaries,
              CASE WHEN j >= :summaries THEN j + 1 - :summaries END, 1 + (j * 13) % :users,
              'A comment about ' || ((:words)::text[])[1 + j % :nwords], '<p>A comment about ' || ((:words)::text[])[1 + j % :nwords] || '</p>',
              now() - (j % 700) * interval '1 day', now()
       FROM generate_series(0, :comments - 1) j""",
    """UPDATE papers p SET summary_count = c.n
       FROM (SELECT paper_id, count(*) n FROM summaries WHERE NOT is_draft AND NOT is_private GROUP BY paper_id) c
       WHERE c.paper_id = p.id""",
]
SEQUENCES = ["actors", "users", "venues", "papers", "summaries", "summary_revisions", "votes", "comments"]


def fill(url: str, scale: float) -> None:
    """Fill the migrated database with synthetic rows, set-based, and analyse it."""
    params = {**counts(scale), "words": WORDS, "nwords": len(WORDS)}
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        for statement in FILL_STATEMENTS:
            started = time.perf_counter()
            used = {k: v for k, v in params.items() if f":{k}" in statement}
            connection.execute(sa.text(statement), used)
            print(f"  {' '.join(statement.split()[:3])[:40]:<42} {time.perf_counter() - started:6.1f} s", flush=True)
        for table in SEQUENCES:
            connection.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(sa.text("VACUUM ANALYZE"))


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def measure(client: httpx.Client, paths: list[str], requests: int) -> tuple[float, float]:
    """p50 and p95 latency in milliseconds over the paths, cycled."""
    for path in paths[:5]:
        assert client.get(path).status_code == 200, path
    times = []
    for index in range(requests):
        started = time.perf_counter()
        response = client.get(paths[index % len(paths)])
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (paths[index % len(paths)], response.status_code)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def targets(url: str, scale: float) -> dict[str, list[str]]:
    """The pages to measure, with varied ids."""
    rng = random.Random(7)
    n = counts(scale)
    papers = [rng.randint(1, n["papers"]) for _ in range(200)]
    return {
        "/healthz (trivial)": ["/healthz"],
        "paper page": [f"/p/p{p:011d}" for p in papers],
        "venue/year page": [f"/venues/v{1 + p % n['venues']:011d}/{2000 + p % 25}" for p in papers],
        "home latest": [f"/?tab=latest&page={1 + p % 5}" for p in papers],
        "home popular": [f"/?tab=popular&page={1 + p % 5}" for p in papers],
        "home best": [f"/?tab=best&page={1 + p % 5}" for p in papers],
        # two long-tail terms, as a reader's query would be (the 40 vocabulary words fill a third of every text,
        # far denser than any real word once stop words are gone, so they make no realistic query)
        "search": [f"/search?q=t{200 + p % 3000}+t{50 + p % 400}" for p in papers],
    }


def main() -> None:
    """Fill if needed, serve, measure, print the table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the issue's row counts")
    parser.add_argument("--refill", action="store_true", help="drop and refill the bench database")
    parser.add_argument("--requests", type=int, default=200, help="requests per page kind")
    args = parser.parse_args()
    name = f"fs_bench_{str(args.scale).replace('.', '_')}"
    url = database_url(name)
    env = {**os.environ, "FEDISCIENCE_DATABASE_URL": url, "FEDISCIENCE_SECRET_KEY": "bench-secret-key-0123456789",
           "FEDISCIENCE_INSTANCE_PATH": str(ROOT / "instance" / "bench")}
    env.pop("FEDISCIENCE_REDIS_URL", None)
    if create_database(name, args.refill):
        print(f"filling {name}: {counts(args.scale)}", flush=True)
        run_cli(env, "init")
        fill(url, args.scale)
    port = free_port()
    server = subprocess.Popen([str(ROOT / ".venv/bin/fediscience"), "serve", "--port", str(port), "--threads", "4"],
                              env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if client.get("/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    if time.monotonic() > deadline:
                        sys.exit("the server did not start")
                    time.sleep(0.2)
            rows = {label: measure(client, paths, args.requests) for label, paths in targets(url, args.scale).items()}
    finally:
        server.terminate()
        server.wait(timeout=10)
    trivial = rows["/healthz (trivial)"][1]
    print(f"\n{'page':<22}{'p50 ms':>9}{'p95 ms':>9}{'p95 / trivial':>15}   (scale {args.scale}, {args.requests} requests each)")
    for label, (p50, p95) in rows.items():
        print(f"{label:<22}{p50:9.1f}{p95:9.1f}{p95 / trivial:15.1f}")


if __name__ == "__main__":
    main()

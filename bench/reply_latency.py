"""Reply latency: how long a Mastodon reply takes to show on the summary page, with a worker running.

Starts one instance as the system tests do (`fediscience serve` + `fediscience worker`, a fresh PostgreSQL database,
its own Redis queue), publishes one seed summary, and starts the Mastodon-shaped peer of tests/federation_peer. The
peer then posts N replies one after the other (signed Create{Note}, shaped as Mastodon sends them, to our shared
inbox); for each, the clock runs from just before the POST until an anonymous GET of the summary page contains the
reply's text (polled every `--interval` seconds). Prints p50/p95/max of that, and of the POST alone. The target is
p50 under 1 s. Never part of CI.

    .venv/bin/python bench/reply_latency.py                 # 30 replies
    .venv/bin/python bench/reply_latency.py --replies 100 --interval 0.01
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.federation_e2e import flows  # noqa: E402 (after the path is set)
from tests.federation_peer.conftest import add_bibtex_paper  # noqa: E402
from tests.federation_peer.mastodon_peer import MastodonPeer  # noqa: E402
from tests.federation_peer.seeds import seeds  # noqa: E402
from tests.papers.recorded_server import start_recorded_server  # noqa: E402
from tests.system import harness  # noqa: E402

REDIS_DB = 12


def percentile(values: list[float], fraction: float) -> float:
    """The value below which `fraction` of the sorted values lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))]


def start_instance(stack: ExitStack, folder: Path) -> tuple[str, harness.Service, harness.Service]:
    """A served instance with one worker; everything is undone by `stack`. Its base URL and processes."""
    recorded_base, stop_recorded = start_recorded_server()
    stack.callback(stop_recorded)
    redis = harness.redis_connection(REDIS_DB)
    stack.callback(redis.close)
    database_url = stack.enter_context(harness.fresh_database("fs_bench_reply"))
    port = harness.listening_port()
    queue = harness.unique_queue_name("bench-reply")
    stack.callback(harness.delete_queue_keys, redis, queue)
    env = harness.app_env(
        database_url=database_url, instance_path=folder / "instance", recorded_base=recorded_base,
        base_url=f"http://127.0.0.1:{port}", redis_url=f"{harness.REDIS_HOST_URL}/{REDIS_DB}", queue_name=queue,
        allow_private_addresses="1",
    )
    server = harness.start_server(env, port, folder, name="serve")
    stack.callback(server.dispose)
    worker = harness.start_worker(env, redis, queue, folder, name="worker")
    stack.callback(worker.dispose)
    return f"http://127.0.0.1:{port}", server, worker


def publish_summary(base_url: str) -> str:
    """Register a user, add the first seed's paper and publish its summary; the summary's public id."""
    web = harness.WebClient(base_url)
    web.register("ada")
    seed = seeds()[0]
    return flows.write_summary(web, add_bibtex_paper(web, seed.bibtex()), seed.text)


def measure(base_url: str, summary_id: str, peer: MastodonPeer, replies: int, interval: float,
            deadline: float) -> tuple[list[float], list[float]]:
    """Post the replies one by one; (time until shown on the page, time of the POST alone) for each."""
    account = peer.client.resolve_account(f"ada@{base_url.split('://', 1)[1]}")
    summary_url = f"{base_url}/s/{summary_id}"
    reader = httpx.Client(base_url=base_url, timeout=10)
    shown, posted = [], []
    run = uuid.uuid4().hex[:8]
    try:
        for number in range(replies):
            text = f"Latency probe {run}-{number:03d}"
            start = time.perf_counter()
            _, answer = peer.reply(summary_url, text, [account])
            posted.append(time.perf_counter() - start)
            if answer.status_code != 202:
                raise SystemExit(f"reply {number} was refused: {answer.status_code} {answer.text[:300]}")
            while text not in reader.get(f"/s/{summary_id}").text:
                if time.perf_counter() - start > deadline:
                    raise SystemExit(f"reply {number} did not show within {deadline} s")
                time.sleep(interval)
            shown.append(time.perf_counter() - start)
    finally:
        reader.close()
    return shown, posted


def report(shown: list[float], posted: list[float]) -> None:
    """Print the figures."""
    def line(label: str, values: list[float]) -> str:
        p50, p95 = percentile(values, 0.5) * 1000, percentile(values, 0.95) * 1000
        return (f"{label:<28} p50 {p50:7.0f} ms   p95 {p95:7.0f} ms   max {max(values) * 1000:7.0f} ms"
                f"   mean {statistics.fmean(values) * 1000:7.0f} ms")

    print(f"{len(shown)} replies")
    print(line("POST → shown on the page", shown))
    print(line("POST alone (202)", posted))
    verdict = "meets" if percentile(shown, 0.5) < 1.0 else "MISSES"
    print(f"p50 {verdict} the 1 s target")


def main() -> None:
    """Parse the options, run the measurement, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--replies", type=int, default=30)
    parser.add_argument("--interval", type=float, default=0.02, help="page polling interval in seconds")
    parser.add_argument("--deadline", type=float, default=30.0, help="give up on a reply after this many seconds")
    options = parser.parse_args()
    with ExitStack() as stack, tempfile.TemporaryDirectory(prefix="reply-latency-") as folder:
        base_url, server, worker = start_instance(stack, Path(folder))
        summary_id = publish_summary(base_url)
        peer = MastodonPeer().start()
        stack.callback(peer.stop)
        try:
            shown, posted = measure(base_url, summary_id, peer, options.replies, options.interval, options.deadline)
        except BaseException:
            print(server.logs(5000), worker.logs(5000), sep="\n", file=sys.stderr)
            raise
        report(shown, posted)
        if peer.state.problems:
            print("Mastodon rules broken:", *peer.state.problems, sep="\n  ")


if __name__ == "__main__":
    main()

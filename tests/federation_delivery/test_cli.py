"""`fediscience deliveries`: the queue per host."""

from __future__ import annotations

from datetime import timedelta

from click.testing import CliRunner

from fediscience.cli import main
from fediscience.db import db, utcnow
from fediscience.federation.models import RemoteHost
from fediscience.federation.outbox import send_activity
from tests.federation_delivery.conftest import Answer, CountingRunner, note
from tests.helpers import TEST_SECRET, wait_for_jobs


def test_the_command_shows_each_hosts_queue_and_flags(ctx, author, receivers, database_url, tmp_path, monkeypatch):
    a, b = receivers[0], receivers[1]
    a.answer("/users/x/inbox", Answer(410))
    send_activity(author, note(author, 1), [a.url("/inbox"), a.url("/users/x/inbox"), b.url("/inbox")])
    db.session.commit()
    wait_for_jobs(ctx)
    ctx.extensions["fediscience.jobs"] = CountingRunner(ctx.extensions["fediscience.jobs"], drop=True)
    send_activity(author, note(author, 2), [b.url("/inbox")])
    db.session.merge(RemoteHost(host=b.host, unavailable=True, failure_days=["2025-01-01"] * 7,
                                breaker_until=utcnow() + timedelta(minutes=1)))
    db.session.commit()
    for name, value in {"DATABASE_URL": database_url, "SECRET_KEY": TEST_SECRET, "INSTANCE_PATH": str(tmp_path / "cli"),
                        "BASE_URL": "http://127.0.0.1:5999", "ALLOW_PRIVATE_ADDRESSES": "true"}.items():
        monkeypatch.setenv(f"FEDISCIENCE_{name}", value)
    monkeypatch.setenv("COLUMNS", "200")
    result = CliRunner().invoke(main, ["deliveries"])
    assert result.exit_code == 0, result.output
    lines = {line.split("│")[1].strip(): [cell.strip() for cell in line.split("│")[2:]]
             for line in result.output.splitlines() if "127.0.0.1:" in line}
    assert lines[a.host][:4] == ["0", "0", "1", "1"]  # pending, leased, done, gave up
    assert lines[b.host][:4] == ["1", "0", "1", "0"]
    assert lines[b.host][4] != "" and lines[b.host][5] != "" and "unavailable" in lines[b.host][6]
    assert list(lines) == [b.host, a.host]  # hosts with waiting deliveries first

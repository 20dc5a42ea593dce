"""Admin pages for federation: the delivery queue per host with "retry now", and domain blocks; admins only."""

from __future__ import annotations

import itertools
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from fediscience.db import db, utcnow
from fediscience.federation.inbox import InboxError, refuse_blocked
from fediscience.federation.models import Activity, Delivery, RemoteHost
from fediscience.users.models import User
from fediscience.users.services import promote
from tests.helpers import csrf_token, post_form, register


class _Rows(HTMLParser):
    """The table rows that carry a data-host attribute: host → the text of each cell."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: dict[str, list[str]] = {}
        self._host: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "tr" and values.get("data-host"):
            self._host = values["data-host"]
            self.rows[self._host] = []
        elif tag == "td" and self._host is not None:
            self.rows[self._host].append("")

    def handle_data(self, data: str) -> None:
        if self._host is not None and self.rows[self._host]:
            cells = self.rows[self._host]
            cells[-1] = " ".join(f"{cells[-1]} {data}".split())

    def handle_endtag(self, tag: str) -> None:
        if tag == "tr":
            self._host = None


def rows_of(html: str) -> dict[str, list[str]]:
    """host → cell texts of the page's host table."""
    parser = _Rows()
    parser.feed(html)
    return parser.rows


@pytest.fixture
def admin(app: Flask) -> FlaskClient:
    """A client logged in as an administrator."""
    client = app.test_client()
    register(client, "ada")
    with app.app_context():
        promote(db.session.scalar(select(User).where(User.username_key == "ada")))
        db.session.commit()
    return client


def _activity(app: Flask, n: int) -> int:
    with app.app_context():
        actor_id = db.session.scalar(select(User.actor_id).limit(1))
        activity = Activity(uri=f"http://localhost/activities/{n}", actor_id=actor_id, activity_type="Create",
                            payload={"type": "Create"})
        db.session.add(activity)
        db.session.commit()
        return activity.id


_INBOXES = itertools.count()  # deliveries are unique per (activity, inbox)


def _deliveries(app: Flask, activity_id: int, host: str, state: str, count: int, **values: object) -> None:
    with app.app_context():
        for _ in range(count):
            inbox = f"https://{host}/users/u{next(_INBOXES)}/inbox"
            db.session.add(Delivery(activity_id=activity_id, inbox_url=inbox, host=host, state=state, **values))
        db.session.commit()


def _host(app: Flask, host: str, **values: object) -> None:
    with app.app_context():
        db.session.merge(RemoteHost(host=host, **values))
        db.session.commit()


def _hosts(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(RemoteHost))


def _blocked(app: Flask, url: str) -> bool:
    with app.app_context():
        try:
            refuse_blocked([url])
        except InboxError as exc:
            assert exc.status == 403
            return True
        return False


def test_admin_sees_each_hosts_counts_breaker_and_flags(app, admin):
    activity = _activity(app, 1)
    now = utcnow()
    _deliveries(app, activity, "busy.example", "pending", 2, created_at=now - timedelta(minutes=5),
                next_try_at=now + timedelta(minutes=10))
    _deliveries(app, activity, "busy.example", "pending", 1, created_at=now - timedelta(hours=2, minutes=1),
                next_try_at=now + timedelta(minutes=3))
    _deliveries(app, activity, "busy.example", "leased", 1, lease_until=now + timedelta(minutes=1))
    _deliveries(app, activity, "busy.example", "done", 2, finished_at=now)
    _deliveries(app, activity, "busy.example", "gave_up", 1, finished_at=now)
    _deliveries(app, activity, "down.example", "done", 1, finished_at=now)
    _host(app, "down.example", unavailable=True, breaker_until=now + timedelta(minutes=1),
          failure_days=["2025-01-01", "2025-01-02"], consecutive_failures=12)

    response = admin.get("/admin/deliveries")
    assert response.status_code == 200
    rows = rows_of(response.get_data(as_text=True))
    assert list(rows) == ["busy.example", "down.example"]  # hosts with waiting deliveries first
    busy, down = rows["busy.example"], rows["down.example"]
    assert busy[1:5] == ["3", "1", "2", "1"]  # pending, sending, delivered, failed
    assert busy[5] == "2 hours ago"  # the oldest pending delivery
    assert busy[6] == (now + timedelta(minutes=3)).strftime("%Y-%m-%d %H:%M:%S")  # the earliest next try
    assert busy[7] == "closed" and busy[8] == ""
    assert down[1:5] == ["0", "0", "1", "0"] and down[5] == "" and down[6] == ""
    assert down[7].startswith("open until") and down[8] == "unavailable failing 2 d"


def test_retry_now_clears_the_breaker_and_makes_the_hosts_pending_deliveries_due(app, admin):
    activity = _activity(app, 1)
    later = utcnow() + timedelta(hours=1)
    _deliveries(app, activity, "down.example", "pending", 2, next_try_at=later, tries=3)
    _deliveries(app, activity, "down.example", "gave_up", 1, next_try_at=later)
    _deliveries(app, activity, "other.example", "pending", 1, next_try_at=later)
    _host(app, "down.example", unavailable=True, breaker_until=later, failure_days=["2025-01-01"],
          consecutive_failures=10)
    assert "open until" in rows_of(admin.get("/admin/deliveries").get_data(as_text=True))["down.example"][7]

    response = post_form(admin, "/admin/deliveries/down.example/retry", {})
    assert response.status_code == 302
    with app.app_context():
        host = db.session.get(RemoteHost, "down.example")
        cleared = (host.breaker_until, host.consecutive_failures, host.unavailable, host.failure_days)
        assert cleared == (None, 0, False, [])
        rows = db.session.scalars(select(Delivery)).all()
        pending = [row for row in rows if (row.host, row.state) == ("down.example", "pending")]
        assert len(pending) == 2 and all(row.next_try_at <= utcnow() and row.tries == 3 for row in pending)
        others = [row for row in rows if row not in pending]
        assert len(others) == 2 and all(row.next_try_at == later for row in others)  # finished rows, other hosts
    page = admin.get("/admin/deliveries").get_data(as_text=True)
    assert "waiting deliveries are due now" in page
    assert rows_of(page)["down.example"][6:9] == ["due", "closed", ""]


def test_retrying_an_unknown_host_is_404_and_changes_nothing(app, admin):
    response = post_form(admin, "/admin/deliveries/nowhere.example/retry", {})
    assert response.status_code == 404
    assert _hosts(app) == 0


def test_blocking_a_domain_refuses_its_inbox_posts_and_unblocking_lifts_it(app, admin):
    assert not _blocked(app, "https://bad.example/users/x")
    response = post_form(admin, "/admin/domains", {"domain": "https://Bad.Example/users/x", "reason": "spam"})
    assert response.status_code == 302
    rows = rows_of(admin.get("/admin/domains").get_data(as_text=True))
    assert rows == {"bad.example": ["bad.example", "spam", "Unblock"]}
    assert _blocked(app, "https://bad.example/users/x") and _blocked(app, "https://sub.bad.example/inbox")
    assert not _blocked(app, "https://good.example/users/x")

    response = post_form(admin, "/admin/domains/bad.example/unblock", {})
    assert response.status_code == 302
    assert not _blocked(app, "https://bad.example/users/x")
    assert rows_of(admin.get("/admin/domains").get_data(as_text=True)) == {}


def test_unblocking_a_domain_that_is_not_blocked_is_404(app, admin):
    assert post_form(admin, "/admin/domains/fine.example/unblock", {}).status_code == 404
    assert post_form(admin, "/admin/domains/not_a_domain!/unblock", {}).status_code == 400
    assert _hosts(app) == 0


@pytest.mark.parametrize(("domain", "error"), [
    ("not a domain!", "is not a domain name"),
    ("bad.example:99999", "has an invalid port"),
    ("", "This field is required"),
])
def test_an_invalid_domain_shows_the_error_and_changes_nothing(app, admin, domain, error):
    response = post_form(admin, "/admin/domains", {"domain": domain, "reason": "spam"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert error in html and 'class="error"' in html
    assert _hosts(app) == 0


def test_non_admins_get_403_and_change_nothing(app, admin, bob):
    activity = _activity(app, 1)
    later = utcnow() + timedelta(hours=1)
    _deliveries(app, activity, "down.example", "pending", 1, next_try_at=later)
    _host(app, "down.example", breaker_until=later, consecutive_failures=10)
    _host(app, "bad.example", blocked=True)
    for path in ("/admin", "/admin/deliveries", "/admin/domains"):
        assert bob.get(path).status_code == 403, path
    assert post_form(bob, "/admin/domains", {"domain": "other.example"}).status_code == 403
    assert post_form(bob, "/admin/domains/bad.example/unblock", {}).status_code == 403
    assert post_form(bob, "/admin/deliveries/down.example/retry", {}).status_code == 403
    with app.app_context():
        assert db.session.get(RemoteHost, "other.example") is None
        assert db.session.get(RemoteHost, "bad.example").blocked
        assert db.session.get(RemoteHost, "down.example").breaker_until == later
        assert db.session.scalar(select(Delivery.next_try_at)) == later


def test_anonymous_visitors_are_sent_to_the_login_page(app, client):
    for path in ("/admin", "/admin/deliveries", "/admin/domains"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"] == f"/login?next={path}", path
    response = post_form(client, "/admin/domains", {"domain": "bad.example"})
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert _hosts(app) == 0


def test_posts_without_a_csrf_token_are_refused(app, admin):
    activity = _activity(app, 1)
    later = utcnow() + timedelta(hours=1)
    _deliveries(app, activity, "down.example", "pending", 1, next_try_at=later)
    _host(app, "down.example", breaker_until=later, consecutive_failures=10)
    _host(app, "bad.example", blocked=True)
    assert admin.post("/admin/domains", data={"domain": "other.example"}).status_code == 400
    assert admin.post("/admin/domains/bad.example/unblock").status_code == 400
    assert admin.post("/admin/deliveries/down.example/retry").status_code == 400
    assert admin.post("/admin/domains", data={"domain": "x.example", "csrf_token": "forged"}).status_code == 400
    with app.app_context():
        assert db.session.get(RemoteHost, "other.example") is None
        assert db.session.get(RemoteHost, "x.example") is None
        assert db.session.get(RemoteHost, "bad.example").blocked
        assert db.session.get(RemoteHost, "down.example").breaker_until == later
        assert db.session.scalar(select(Delivery.next_try_at)) == later


def test_the_header_links_admins_to_the_admin_area_and_settings_to_followers(admin, bob):
    assert 'href="/admin">Admin</a>' in admin.get("/").get_data(as_text=True)
    assert 'href="/admin"' not in bob.get("/").get_data(as_text=True)
    assert admin.get("/admin").headers["Location"] == "/admin/deliveries"
    settings = bob.get("/settings/followers").get_data(as_text=True)
    assert 'href="/settings/followers" class="current">Followers</a>' in settings
    assert csrf_token(admin, "/admin/domains")  # the block form carries its token


def test_garbage_from_an_admin_never_gives_a_500(app, admin):
    from urllib.parse import quote

    from tests.web.test_garbage import GARBAGE_VALUES

    token = csrf_token(admin)
    extra = ["xn--", "xn--zz.example", "a..example", "-bad.example", "[::1]:80", "éxample.org", "x.example:0"]
    for value in [*GARBAGE_VALUES, *extra]:
        block = admin.post("/admin/domains", data={"csrf_token": token, "domain": value, "reason": value})
        assert block.status_code in (302, 400), (value, block.status_code)
        segment = quote(value, safe="") or "x"
        for path in (f"/admin/domains/{segment}/unblock", f"/admin/deliveries/{segment}/retry"):
            answer = admin.post(path, data={"csrf_token": token})
            assert answer.status_code in (302, 400, 404), (value, path, answer.status_code)
    assert admin.get("/admin/domains").status_code == 200

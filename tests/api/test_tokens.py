"""Personal access tokens: stored hashed, shown once, revocable; via the services, the CLI and the settings page."""

from __future__ import annotations

import hashlib
import re

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from fediscience.cli import main
from fediscience.db import db
from fediscience.errors import Invalid
from fediscience.tokens import services
from fediscience.tokens.models import ApiToken
from fediscience.users.services import find_user
from tests.api.conftest import call, error_of
from tests.helpers import TEST_SECRET, csrf_token, post_form, register

TOKEN = re.compile(r"fsp_[A-Za-z0-9_-]{40,}")


def test_only_the_sha256_of_a_token_is_stored(app, alice):
    with app.app_context():
        row = db.session.scalar(select(ApiToken))
        assert row.token_hash == hashlib.sha256(alice.token.encode()).hexdigest()
        assert alice.token not in (row.token_hash, row.prefix, row.name)
        assert alice.token.startswith(row.prefix) and len(row.prefix) == 12


def test_authenticate_records_use_and_refuses_revoked_or_unknown_tokens(app, alice):
    with app.app_context():
        token = services.authenticate(alice.token)
        assert token is not None and token.user.username == "alice" and token.last_used_at is not None
        assert services.authenticate(alice.token + "x") is None
        assert services.authenticate("not-a-token") is None
        services.revoke_token(token)
        assert services.authenticate(alice.token) is None


def test_a_token_needs_a_sensible_name(app_context):
    from fediscience.users.services import register_user

    user = register_user("dave", "dave@example.org", "long enough password")
    for name in ("", "   ", "x" * 101, "tab\tname", "nul\x00"):
        with pytest.raises(Invalid):
            services.create_token(user, name)
    assert services.list_tokens(user) == []


def test_a_revoked_token_stops_working_at_once(app, client, alice, paper_id):
    assert call(client, "GET", "/me", alice.token).status_code == 200
    with app.app_context():
        services.revoke_token(db.session.scalar(select(ApiToken)))
        db.session.commit()
    response = call(client, "GET", "/me", alice.token)
    assert "revoked" in error_of(response, 401)
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_reads_record_the_last_use(app, client, alice):
    assert call(client, "GET", "/me", alice.token).status_code == 200
    with app.app_context():
        assert db.session.scalar(select(ApiToken.last_used_at)) is not None


def _cli(app, *args: str):
    env = {
        "FEDISCIENCE_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "FEDISCIENCE_INSTANCE_PATH": app.instance_path,
        "FEDISCIENCE_SECRET_KEY": TEST_SECRET,
        "FEDISCIENCE_BASE_URL": "http://localhost",
        "FEDISCIENCE_REDIS_URL": "",
    }
    return CliRunner().invoke(main, list(args), env=env)


def test_the_cli_creates_lists_and_revokes_tokens(app, client):
    with app.app_context():
        from fediscience.users.services import register_user

        register_user("erin", "erin@example.org", "long enough password")
        db.session.commit()
    created = _cli(app, "token", "create", "backup script", "--user", "erin")
    assert created.exit_code == 0, created.output
    plaintext = TOKEN.search(created.stdout).group(0)
    assert call(client, "GET", "/me", plaintext).get_json()["username"] == "erin"

    listed = _cli(app, "token", "list", "--user", "erin")
    assert "backup script" in listed.output and "active" in listed.output and plaintext not in listed.output
    token_id = listed.output.split("\t", 1)[0]

    revoked = _cli(app, "token", "revoke", token_id)
    assert revoked.exit_code == 0 and "revoked" in revoked.output
    error_of(call(client, "GET", "/me", plaintext), 401)
    assert "revoked" in _cli(app, "token", "list", "--user", "erin").output


def test_the_cli_refuses_unknown_users_and_tokens(app):
    assert "no user named nobody" in _cli(app, "token", "create", "x", "--user", "nobody").output
    assert "no such token" in _cli(app, "token", "revoke", "999").output
    assert _cli(app, "token", "revoke", "999").exit_code != 0


def test_the_settings_page_creates_a_token_shown_once(app):
    browser = app.test_client()
    register(browser, "frank")
    response = post_form(browser, "/settings/tokens", {"name": "my laptop"})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    plaintext = TOKEN.search(response.get_data(as_text=True)).group(0)
    assert call(app.test_client(), "GET", "/me", plaintext).get_json()["username"] == "frank"
    page = browser.get("/settings/tokens").get_data(as_text=True)
    assert "my laptop" in page and plaintext not in page and plaintext[:12] in page
    with app.app_context():
        assert db.session.scalar(select(ApiToken.token_hash)) != plaintext


def test_the_settings_page_needs_a_csrf_token_and_a_login(app, client):
    browser = app.test_client()
    register(browser, "grace")
    assert browser.post("/settings/tokens", data={"name": "x"}).status_code == 400
    assert client.get("/settings/tokens").status_code == 302  # anonymous: to the login page
    with app.app_context():
        assert db.session.scalar(select(ApiToken.id)) is None


def test_the_settings_page_revokes_only_ones_own_tokens(app, alice):
    browser = app.test_client()
    register(browser, "heidi")
    with app.app_context():
        alice_token_id = db.session.scalar(select(ApiToken.id))
        _, plaintext = services.create_token(find_user("heidi"), "old")
        db.session.commit()
        heidi_token_id = db.session.scalar(select(ApiToken.id).where(ApiToken.name == "old"))
    assert post_form(browser, f"/settings/tokens/{alice_token_id}/revoke", {}).status_code == 404
    assert browser.post(f"/settings/tokens/{heidi_token_id}/revoke").status_code == 400  # no CSRF token
    assert call(app.test_client(), "GET", "/me", plaintext).status_code == 200
    response = post_form(browser, f"/settings/tokens/{heidi_token_id}/revoke", {})
    assert response.status_code == 302
    assert "revoked" in browser.get("/settings/tokens").get_data(as_text=True)
    error_of(call(app.test_client(), "GET", "/me", plaintext), 401)
    assert call(app.test_client(), "GET", "/me", alice.token).status_code == 200
    assert csrf_token(browser, "/settings/tokens")

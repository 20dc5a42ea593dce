"""Accounts: registration, log-in and out, sessions, CSRF, profiles."""

from __future__ import annotations

import io

from PIL import Image
from sqlalchemy import func, select

from fediscience.db import db
from fediscience.users.models import User
from tests.helpers import PASSWORD, csrf_token, login, post_form, register


def _users(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(User.id)))


def test_register_logs_in_and_hashes_the_password_with_argon2(app, client):
    register(client, "alice")
    assert "alice" in client.get("/").get_data(as_text=True)
    with app.app_context():
        user = db.session.scalar(select(User))
        assert user.password_hash.startswith("$argon2id$")
        assert PASSWORD not in user.password_hash


def test_session_cookie_is_httponly_and_samesite_lax(client):
    response = register(client, "alice")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # http in tests; Secure is set under https (test below)


def test_session_cookie_is_secure_under_https(tmp_path):
    from fediscience import create_app
    from fediscience.config import Settings

    app = create_app(Settings(instance_path=tmp_path, base_url="https://science.example.org", secret_key="x" * 20))
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_logout_ends_the_session(client):
    register(client, "alice")
    response = post_form(client, "/logout", {})
    assert response.status_code == 302
    assert "Log in" in client.get("/").get_data(as_text=True)


def test_logout_without_csrf_token_is_refused(client):
    register(client, "alice")
    assert client.post("/logout").status_code == 400
    assert "Log out" in client.get("/").get_data(as_text=True)


def test_login_with_email_and_wrong_password(client):
    register(client, "alice")
    post_form(client, "/logout", {})
    bad = post_form(client, "/login", {"login": "alice", "password": "wrong password"})
    assert bad.status_code == 400 and "Wrong username or password" in bad.get_data(as_text=True)
    good = post_form(client, "/login", {"login": "ALICE@example.org", "password": PASSWORD})
    assert good.status_code == 302


def test_missing_csrf_token_is_400_and_saves_nothing(app, client):
    response = client.post("/register", data={"username": "bob", "email": "bob@example.org", "password": PASSWORD})
    assert response.status_code == 400
    assert _users(app) == 0


def test_invalid_registrations_show_the_problem_and_save_nothing(app, client):
    register(client, "alice")
    post_form(client, "/logout", {})
    cases = [
        ({"username": "bad name!", "email": "x@example.org", "password": PASSWORD}, "letters, digits"),
        ({"username": "Alice", "email": "y@example.org", "password": PASSWORD}, "taken"),
        ({"username": "carol", "email": "not-an-email", "password": PASSWORD}, "valid email"),
        ({"username": "carol", "email": "carol@example.org", "password": "short"}, "at least 8"),
        ({"username": "admin", "email": "carol@example.org", "password": PASSWORD}, "reserved"),
    ]
    for data, message in cases:
        response = post_form(client, "/register", data)
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)
    assert _users(app) == 1


def test_login_redirects_only_to_local_paths(client):
    register(client, "alice")
    post_form(client, "/logout", {})
    token = csrf_token(client)
    response = client.post(
        "/login?next=//evil.example/x", data={"csrf_token": token, "login": "alice", "password": PASSWORD}
    )
    assert response.headers["Location"] == "/"


def test_profile_shows_orcid_and_sciscore(app, client):
    register(client, "alice")
    response = post_form(
        client, "/settings/profile",
        {"display_name": "Alice Liddell", "bio": "Reads papers.", "orcid": "https://orcid.org/0000-0002-1825-0097",
         "website": "https://alice.example.org"},
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Alice Liddell" in page and "0000-0002-1825-0097" in page and "sciscore" in page


def test_profile_refuses_a_wrong_orcid_checksum(app, client):
    register(client, "alice")
    response = post_form(client, "/settings/profile", {"display_name": "A", "orcid": "0000-0002-1825-0098"})
    assert response.status_code == 400
    assert "check digit" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(User.orcid)) is None


def test_avatar_upload_is_resized_and_garbage_is_refused(app, client):
    register(client, "alice")
    picture = io.BytesIO()
    Image.new("RGB", (800, 500), "red").save(picture, format="JPEG")
    picture.seek(0)
    response = post_form(
        client, "/settings/profile", {"display_name": "A", "avatar": (picture, "me.jpg")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    with app.app_context():
        avatar_file = db.session.scalar(select(User.avatar_file))
    served = client.get(f"/media/avatars/{avatar_file}")
    assert served.status_code == 200
    assert Image.open(io.BytesIO(served.data)).size == (256, 256)
    garbage = post_form(
        client, "/settings/profile", {"display_name": "A", "avatar": (io.BytesIO(b"not an image"), "x.png")},
        content_type="multipart/form-data",
    )
    assert garbage.status_code == 400 and "not an image" in garbage.get_data(as_text=True)


def test_unknown_user_is_404(client):
    assert client.get("/u/doesnotexist").status_code == 404
    assert client.get("/@nobody").status_code == 404


def test_short_profile_address_redirects_to_the_permanent_one(client):
    register(client, "alice")
    response = client.get("/@ALICE")
    assert response.status_code == 302 and response.headers["Location"].startswith("/u/")
    login(client, "alice")

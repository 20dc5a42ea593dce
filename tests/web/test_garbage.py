"""No 500 for anything a client can send: garbage to every form and route."""

from __future__ import annotations

import io
import random

import pytest
from sqlalchemy import func, select

from fediscience.db import db
from fediscience.summaries.models import Summary
from tests.helpers import csrf_token, post_form
from tests.web.test_comments import comment, comment_id
from tests.web.test_summaries import summary_id, write

GARBAGE_VALUES = [
    "", " ", "\x00", "\udcff".encode("utf-8", "surrogatepass").decode("utf-8", "replace"), "A" * 300_000,
    "<script>alert(1)</script>", "$$\\frac{", "$\\begin{array}$", "' OR 1=1 --", "../../etc/passwd",
    "%00%ff", "\u202e\u0000", "-1", "99999999999999999999", "{}", "[1,2]", "🙂" * 1000,
]
FIELDS = [
    "username", "email", "password", "login", "identifier", "bib-bibtex", "source", "draft", "private",
    "preview", "save", "value", "parent", "display_name", "bio", "orcid", "website", "next", "share",
]


def _post_paths(app, summary: str, comment_public_id: str, paper_id: str) -> list[str]:
    values = {"public_id": summary, "paper_id": paper_id}
    paths = []
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods:
            continue
        if "public_id" in rule.arguments and rule.rule.startswith("/c/"):
            paths.append(rule.rule.replace("<public_id>", comment_public_id))
        else:
            path = rule.rule
            for name, value in values.items():
                path = path.replace(f"<{name}>", value)
            paths.append(path)
    return paths


@pytest.fixture
def world(app, alice, bob, paper_id):
    write(alice, paper_id)
    summary = summary_id(app)
    comment(bob, summary, "A comment")
    return summary, comment_id(app, "A comment"), paper_id


def test_garbage_posted_to_every_form_never_gives_a_500(app, alice, bob, client, world):
    summary, comment_public_id, paper_id = world
    paths = _post_paths(app, summary, comment_public_id, paper_id)
    assert len(paths) >= 10
    rng = random.Random(20261122)
    for who in (alice, bob, client):
        token = csrf_token(who)
        for path in paths:
            for _ in range(6):
                data = {field: rng.choice(GARBAGE_VALUES) for field in rng.sample(FIELDS, rng.randint(0, 8))}
                if rng.random() < 0.8:
                    data["csrf_token"] = token
                response = who.post(path, data=data)
                assert response.status_code < 500, (path, data.keys(), response.status_code)
            files = {"avatar": (io.BytesIO(bytes(rng.randrange(256) for _ in range(500))), "x.png"), "csrf_token": token}
            assert who.post(path, data=files, content_type="multipart/form-data").status_code < 500
            assert who.post(path, data=b"\xff\xfe garbage", content_type="application/json").status_code < 500


def test_garbage_in_urls_and_query_strings_never_gives_a_500(app, alice, world):
    summary, comment_public_id, paper_id = world
    for path in [
        "/p/%00", "/s/%ff%fe", "/c/..%2f..%2f", "/u/" + "x" * 5000, "/@%00", "/papers/lookups/zzz",
        "/papers/doi/%00", "/papers/arxiv/not-an-id", "/papers/dblp/", f"/s/{summary}/revisions/999999999999999999999",
        f"/s/{summary}?share=%00", "/?page=-5", "/?page=abc", "/?page=99999999999999999999", "/media/avatars/../../x",
        "/papers/add?identifier=%00", "/login?next=javascript:alert(1)",
    ]:
        assert alice.get(path).status_code < 500, path


def test_bad_input_changes_nothing(app, alice, world):
    summary, _, paper_id = world
    with app.app_context():
        before = db.session.scalar(select(Summary.source))
    post_form(alice, f"/s/{summary}/edit", {"source": "", "save": "Save"})
    post_form(alice, f"/s/{summary}/edit", {"source": "z" * 200_000, "save": "Save"})
    with app.app_context():
        assert db.session.scalar(select(Summary.source)) == before
        assert db.session.scalar(select(func.count(Summary.id))) == 1

"""Exports: the CSV of one's summaries (ShortScience's format) and the JSON archive; nobody else's private or
draft content ever appears in them."""

from __future__ import annotations

import csv
import io
import json

import pytest
from sqlalchemy import select

from fediscience.comments.services import add_comment
from fediscience.db import db
from fediscience.exports import csv_export, json_archive, paper_key
from fediscience.imports.shortscience import import_shortscience
from fediscience.summaries.models import Summary
from fediscience.summaries.services import create_summary, edit_summary
from fediscience.users.services import find_user
from fediscience.votes.services import cast_vote
from tests.helpers import make_paper

ALICE_PUBLIC = "Alice's public summary with $x^2$ maths, \"quotes\", commas,\nand a second line."
ALICE_DRAFT = "Alice's draft, not yet published."
ALICE_PRIVATE = "Alice's private notes."
BOB_PUBLIC = "Bob's public summary."
BOB_PRIVATE = "BOB-PRIVATE-SECRET summary text."
BOB_DRAFT = "BOB-DRAFT-SECRET summary text."


@pytest.fixture
def content(app, make_user) -> dict[str, str]:
    """Alice and bob each write public, private and draft summaries; alice edits, comments and votes."""
    for name in ("alice", "bob", "carol"):
        make_user(name)
    with app.app_context():
        alice, bob = find_user("alice").actor, find_user("bob").actor
        papers = [
            make_paper("Paper with a DBLP key", arxiv_id=None, dblp_key="conf/nips/LeeS00"),
            make_paper("Paper on arXiv only", arxiv_id="1608.08967"),
            make_paper("Paper with a DOI only", arxiv_id=None, doi="10.1038/44565"),
        ]
        mine = create_summary(alice, papers[0], "First version.", draft=False, private=False)
        edit_summary(mine, alice, ALICE_PUBLIC, draft=False, private=False)
        create_summary(alice, papers[1], ALICE_DRAFT, draft=True, private=False)
        create_summary(alice, papers[2], ALICE_PRIVATE, draft=False, private=True)
        bobs = create_summary(bob, papers[0], BOB_PUBLIC, draft=False, private=False)
        create_summary(bob, papers[1], BOB_PRIVATE, draft=False, private=True)
        create_summary(bob, papers[2], BOB_DRAFT, draft=True, private=False)
        question = add_comment(alice, bobs, "A question from alice.")
        reply = add_comment(bob, bobs, "Bob answers.", parent=question)
        add_comment(alice, bobs, "Alice thanks bob.", parent=reply)
        cast_vote(alice, bobs, 1)
        db.session.commit()
        return {"bob_summary": bobs.public_id, "question": question.public_id, "reply": reply.public_id}


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_the_csv_has_every_own_summary_in_shortscience_format(app, alice, content):
    response = alice.get("/settings/export/summaries.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert response.headers["Content-Disposition"] == 'attachment; filename="fediscience-alice-summaries.csv"'
    parsed = rows(response.get_data(as_text=True))
    assert parsed[0] == ["bibtexKey", "text", "visibility"]
    assert sorted(parsed[1:]) == sorted([
        ["conf/nips/LeeS00", ALICE_PUBLIC, "public"],
        ["journals/corr/1608.08967", ALICE_DRAFT, "draft"],
        ["doi:10.1038/44565", ALICE_PRIVATE, "private"],
    ])


def test_the_archive_has_profile_summaries_with_revisions_comments_and_votes(app, alice, content):
    response = alice.get("/settings/export/archive.json")
    assert response.headers["Content-Disposition"] == 'attachment; filename="fediscience-alice-archive.json"'
    archive = json.loads(response.get_data(as_text=True))
    assert archive["format"] == "fediscience-archive" and archive["profile"]["username"] == "alice"
    summaries = {summary["source"]: summary for summary in archive["summaries"]}
    assert set(summaries) == {ALICE_PUBLIC, ALICE_DRAFT, ALICE_PRIVATE}
    edited = summaries[ALICE_PUBLIC]
    assert [(r["number"], r["source"]) for r in edited["revisions"]] == [(1, "First version."), (2, ALICE_PUBLIC)]
    assert edited["paper"]["dblp_key"] == "conf/nips/LeeS00" and edited["paper"]["key"] == "conf/nips/LeeS00"
    assert summaries[ALICE_DRAFT]["visibility"] == "draft"
    comments = {comment["source"]: comment for comment in archive["comments"]}
    assert set(comments) == {"A question from alice.", "Alice thanks bob."}
    assert comments["A question from alice."]["parent_id"] is None
    assert comments["Alice thanks bob."]["parent_id"] == content["reply"]
    assert comments["Alice thanks bob."]["summary_url"] == f"http://localhost/s/{content['bob_summary']}"
    assert archive["votes"] == [
        {"summary_url": f"http://localhost/s/{content['bob_summary']}", "value": 1,
         "created_at": archive["votes"][0]["created_at"]}
    ]


def test_exports_never_hold_another_users_private_or_draft_content(app, alice, bob, content):
    for client, is_alice in ((alice, True), (bob, False)):
        csv_text = client.get("/settings/export/summaries.csv").get_data(as_text=True)
        archive_text = client.get("/settings/export/archive.json").get_data(as_text=True)
        for text in (csv_text, archive_text):
            for bobs in ("Bob's public summary", "BOB-PRIVATE-SECRET", "BOB-DRAFT-SECRET"):
                assert (bobs in text) is not is_alice, (bobs, is_alice)
            for alices in ("Alice's draft", "Alice's private notes"):
                assert (alices in text) is is_alice, (alices, is_alice)
    with app.app_context():
        carol = find_user("carol")
        assert rows(csv_export(carol.actor)) == [["bibtexKey", "text", "visibility"]]
        archive = json_archive(carol)
        assert archive["summaries"] == archive["comments"] == archive["votes"] == []


def test_the_csv_imports_back_with_its_visibility_and_a_rerun_adds_nothing(app, content):
    with app.app_context():
        exported = csv_export(find_user("alice").actor)
        carol = find_user("carol")
        first = import_shortscience(exported, carol)
        again = import_shortscience(exported, carol)
        assert (first.imported, first.skipped, first.errors) == (3, 0, [])
        assert (again.imported, again.skipped, again.errors) == (0, 3, [])
        imported = db.session.scalars(select(Summary).where(Summary.author_id == carol.actor_id))
        assert sorted((paper_key(s.paper), s.source, s.is_draft, s.is_private) for s in imported) == sorted([
            ("conf/nips/LeeS00", ALICE_PUBLIC, False, False),
            ("journals/corr/1608.08967", ALICE_DRAFT, True, False),
            ("doi:10.1038/44565", ALICE_PRIVATE, False, True),
        ])


def test_exports_need_a_login(client):
    for path in ("/settings/export", "/settings/export/summaries.csv", "/settings/export/archive.json"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_export_page_links_both_downloads(alice):
    page = alice.get("/settings/export").get_data(as_text=True)
    assert 'href="/settings/export/summaries.csv"' in page and 'href="/settings/export/archive.json"' in page
    assert 'class="settings-nav"' in page

"""A summary's life across two instances: bob on B follows alice on A; alice's summary (Markdown with maths)
reaches B under B's own record of the paper; comments, replies and votes go back and forth; alice's edit and
deletion follow it to B. Everything goes through the web forms and real deliveries between processes."""

from __future__ import annotations

import re

import pytest

from tests.federation_e2e import flows
from tests.federation_e2e.conftest import Instance

pytestmark = pytest.mark.slow

ARXIV = "1512.03385"
SOURCE = "Residual **learning**: layers learn $x^2$-like residuals; see [the paper](arxiv:1512.03385)."
EDITED = "Edited: identity shortcuts make $f(x) + x$ easy to optimise."
MATHML = '<math xmlns="http://www.w3.org/1998/Math/MathML"'


def test_a_summary_with_its_comments_votes_edit_and_deletion_travels_between_instances(instances):
    a, b = instances["a"], instances["b"]
    alice, bob = a.web, b.web
    alice.register("alice")
    bob.register("bob")
    flows.follow(b, bob, a, "alice")

    summary_a = flows.write_summary(alice, flows.add_paper(a, alice, ARXIV), SOURCE)
    uri = f"{a.base_url}/s/{summary_a}"
    summary_b, paper_b = _arrives_on_b(a, b, uri)
    bob_comment_b, bob_comment_uri = _bob_comments_on_b(a, b, summary_a, summary_b)
    _alice_replies_on_a(a, b, summary_a, summary_b, bob_comment_b, bob_comment_uri)
    _bob_votes_on_b(a, b, summary_a, summary_b)
    _alice_edits_on_a(a, b, summary_a, summary_b)
    _alice_deletes_on_a(a, b, summary_a, summary_b, paper_b, uri)


def _arrives_on_b(a: Instance, b: Instance, uri: str) -> tuple[str, str]:
    """The summary is stored on B under a paper of B's own, confirmed from the recorded arXiv server, and shown
    on B's paper page and in bob's feed, rendered by B from the Markdown source."""
    copy = flows.wait(f"B to store alice's summary {uri}", lambda: flows.remote_summary(b, uri), a, b)
    summary_b, paper_id, source, html = copy
    assert source == SOURCE, "B keeps the Markdown source the Note carried"
    assert MATHML in html and '<annotation encoding="application/x-tex">x^2</annotation>' in html, html
    # B rendered the source itself: the identifier link points at B's own paper route, not A's.
    assert f'href="{b.base_url}/papers/arxiv/{ARXIV}"' in html, html
    assert a.base_url not in html, html

    # A paper made from the Note's claims is stored before the look-up that confirms it (a paper added through
    # the form comes after its look-up), in the same transaction as the summary.
    paper = ("SELECT p.public_id, p.title, p.provisional, p.metadata_source, l.status, p.created_at <= l.created_at "
             "FROM papers p JOIN paper_lookups l ON l.paper_id = p.id WHERE p.id = :id")
    row = flows.wait("B's metadata job to confirm the provisional paper", lambda: next(
        (r for r in b.query(paper, id=paper_id) if r[2] is False and r[4] == "done"), None), a, b)
    paper_b, title, _, source_name, _, claimed_first = row
    assert claimed_first, f"B's paper was not made from the Note's claims: {row}"
    assert title == flows.TITLES[ARXIV] and source_name == "arxiv", row
    assert b.query("SELECT count(*) FROM papers WHERE arxiv_id = :x", x=ARXIV) == [(1,)]

    page = b.client().http.get(f"/p/{paper_b}")
    assert page.status_code == 200, page.status_code
    assert f'id="s-{summary_b}"' in page.text and MATHML in page.text, page.text[:5000]
    assert f"Original on {a.host}" in page.text

    feed = b.web.http.get("/feed")
    assert feed.status_code == 200, feed.status_code
    assert f"/s/{summary_b}" in feed.text and MATHML in feed.text, feed.text[:5000]
    assert flows.TITLES[ARXIV] in feed.text
    return summary_b, paper_b


def _bob_comments_on_b(a: Instance, b: Instance, summary_a: str, summary_b: str) -> tuple[str, str]:
    """bob's comment, written on B, shows on A's summary page under alice's summary with bob's handle."""
    bob_comment_b = flows.comment(b.web, summary_b, "Does this hold for $n \\to \\infty$ layers?")
    comment_uri = f"{b.base_url}/c/{bob_comment_b}"

    def shown_on_a() -> str | None:
        page = a.client().http.get(f"/s/{summary_a}")
        return page.text if page.status_code == 200 and "layers?" in page.text else None

    page = flows.wait("bob's comment to show on A's summary page", shown_on_a, a, b)
    assert f"@bob@{b.host}" in page, page[:5000]
    assert MATHML in page
    rows = a.query("SELECT s.public_id, c.parent_id FROM comments c JOIN summaries s ON s.id = c.summary_id "
                   "WHERE c.uri = :uri", uri=comment_uri)
    assert rows == [(summary_a, None)], rows
    return bob_comment_b, comment_uri


def _alice_replies_on_a(a: Instance, b: Instance, summary_a: str, summary_b: str, bob_comment_b: str,
                        bob_comment_uri: str) -> None:
    """alice answers bob's comment on A; her reply reaches B threaded under bob's comment."""
    bob_comment_a = a.scalar("SELECT public_id FROM comments WHERE uri = :uri", uri=bob_comment_uri)
    reply_a = flows.comment(a.web, summary_a, "Yes, by induction on *n*.", parent=bob_comment_a)
    reply_uri = f"{a.base_url}/c/{reply_a}"
    thread = ("SELECT r.public_id, p.public_id, s.public_id FROM comments r JOIN comments p ON p.id = r.parent_id "
              "JOIN summaries s ON s.id = r.summary_id WHERE r.uri = :uri")
    rows = flows.wait("alice's reply to reach B", lambda: b.query(thread, uri=reply_uri), a, b)
    reply_b, parent_b, on_summary = rows[0]
    assert (parent_b, on_summary) == (bob_comment_b, summary_b), rows

    page = b.client().http.get(f"/s/{summary_b}").text
    nested = re.search(rf'id="c-{bob_comment_b}".*?<ol class="thread">\s*<li class="comment" id="c-{reply_b}"',
                       page, re.S)
    assert nested, f"the reply is not shown under bob's comment on B:\n{page[:6000]}"
    assert "by induction on <em>n</em>" in page and f"@alice@{a.host}" in page


def _bob_votes_on_b(a: Instance, b: Instance, summary_a: str, summary_b: str) -> None:
    """bob's +1 on B makes A's score 1; switching to −1 makes it −1."""
    for value, score in (("1", 1), ("-1", -1)):
        flows.vote(b.web, summary_b, value)
        flows.wait(f"A to show the score {score}", lambda: flows.shown_score(
            a.client().http.get(f"/s/{summary_a}").text) == score, a, b)
        votes = a.query("SELECT v.value FROM votes v JOIN actors x ON x.id = v.actor_id "
                        "WHERE x.username = 'bob' AND x.domain = :d", d=b.host)
        assert votes == [(score,)], votes


def _alice_edits_on_a(a: Instance, b: Instance, summary_a: str, summary_b: str) -> None:
    """alice's edit on A replaces the text B shows."""
    flows.edit_summary(a.web, summary_a, EDITED)

    def shown_on_b() -> str | None:
        page = b.client().http.get(f"/s/{summary_b}")
        return page.text if page.status_code == 200 and "identity shortcuts" in page.text else None

    page = flows.wait("B to show alice's edited summary", shown_on_b, a, b)
    assert "layers learn" not in page, "B still shows the old text"
    assert flows.remote_summary(b, f"{a.base_url}/s/{summary_a}")[2] == EDITED


def _alice_deletes_on_a(a: Instance, b: Instance, summary_a: str, summary_b: str, paper_b: str, uri: str) -> None:
    """alice deletes the summary on A: B no longer shows it; A's URL answers 410 with a Tombstone."""
    flows.delete_summary(a.web, summary_a)
    flows.wait("B to remove alice's deleted summary", lambda: flows.remote_summary(b, uri) is None, a, b)
    assert b.client().http.get(f"/s/{summary_b}").status_code == 404
    paper_page = b.client().http.get(f"/p/{paper_b}")
    assert paper_page.status_code == 200 and f'id="s-{summary_b}"' not in paper_page.text
    assert f"/s/{summary_b}" not in b.web.http.get("/feed").text
    assert b.query("SELECT count(*) FROM comments") == [(0,)], "the comments of the deleted copy stay on B"

    gone = a.client().http.get(f"/s/{summary_a}", headers={"Accept": "application/activity+json"})
    assert gone.status_code == 410, gone.status_code
    document = gone.json()
    assert (document["type"], document["id"], document["formerType"]) == ("Tombstone", uri, "Note"), document
    assert a.query("SELECT count(*) FROM summaries") == [(0,)]

"""An XSS corpus (xss_payloads.json) through the remote sanitiser and through the inbox: as a reply's content and as a
remote summary's content (no Markdown source). The stored HTML and the rendered summary pages are parsed with
lxml.html and must hold nothing executable. One app on PostgreSQL serves the whole module (hostile_site.py).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from fediscience.activitypub.keys import KeyPair
from fediscience.comments.models import Comment
from fediscience.db import db
from fediscience.text import sanitize_html, sanitize_remote_html
from tests.federation_inbox.conftest import RemoteServer, activity, deliver, process
from tests.federation_inbox.hostile_site import Site, comment_html, hostile_site, inbox_item, summary_of
from tests.federation_inbox.html_safety import executable_markup, findings_in, rendered_regions, serialise
from tests.federation_inbox.notes import reply_note, summary_note
from tests.helpers import make_paper

PAYLOADS: list[dict[str, str]] = json.loads(Path(__file__).with_name("xss_payloads.json").read_text())
IDS = [f"{index:03d}-{entry['category']}" for index, entry in enumerate(PAYLOADS)]
CASES = list(enumerate(entry["payload"] for entry in PAYLOADS))
RENDERED = "div[contains(concat(' ', normalize-space(@class), ' '), ' rendered ')]"


@pytest.fixture(scope="module")
def site(postgres_url: str, tmp_path_factory: pytest.TempPathFactory, remote_server: RemoteServer,
         key_pairs: list[KeyPair]) -> Iterator[Site]:
    """The module's app, with a paper per payload."""
    with hostile_site(postgres_url, tmp_path_factory.mktemp("xss"), remote_server, key_pairs) as built:
        with built.app.app_context():  # a paper per payload for the remote summaries (one per author and paper)
            for index in range(len(PAYLOADS)):
                make_paper(f"Paper {index}", arxiv_id=_arxiv_id(index))
            db.session.commit()
        yield built


# The corpus and the auditor ---------------------------------------------------------------------------------


def test_the_corpus_covers_the_usual_categories() -> None:
    categories = Counter(entry["category"] for entry in PAYLOADS)
    assert len(PAYLOADS) >= 100 and len(set(IDS)) == len(IDS)
    assert {"script", "event-handler", "url", "svg", "mathml", "style", "meta-base", "frame", "form",
            "object-embed", "mutation", "nesting", "comment-cdata", "unicode", "polyglot"} <= set(categories)
    assert categories["mathml"] >= 20 and categories["event-handler"] >= 30 and categories["url"] >= 25


@pytest.mark.parametrize(
    ("markup", "finding"),
    [
        ("<SCRIPT>x</SCRIPT>", "<script> element"),
        ("<p><iframe></iframe></p>", "<iframe> element"),
        ('<p OnClick="x">a</p>', "event handler onclick on <p>"),
        ('<span style="color:red">a</span>', "style attribute on <span>"),
        ('<a href=" &#x0A;JaVa&#9;Script:x">a</a>', "href=' \\nJaVa\\tScript:x' on <a>"),
        ('<math><mi xlink:href="DATA:x">a</mi></math>', "xlink:href='DATA:x' on <mi>"),
        ('<form action="vbscript:x"></form>', "action='vbscript:x' on <form>"),
        ("<p>a</p><body onload=x>", "event handler onload on <body>"),
    ],
)
def test_the_auditor_finds_executable_markup(markup: str, finding: str) -> None:
    assert finding in executable_markup(markup)


def test_the_auditor_leaves_safe_markup_alone() -> None:
    safe = ('<p class="h-entry">a <a href="https://ok.example/" rel="nofollow">b</a> <code>javascript:x</code></p>'
            '<math><mspace width="1em"/><mi mathvariant="bold">x</mi></math><!-- <script> -->')
    assert executable_markup(safe) == []


def test_the_auditor_flags_nearly_every_raw_payload() -> None:
    # The few it cannot flag are text or comments to lxml and html.parser: mutation tricks whose danger needs an
    # HTML5 parser, or payloads harmless by themselves. The sanitisers still meet all of them.
    unflagged = [IDS[index] for index, payload in CASES if not executable_markup(payload)]
    assert len(unflagged) <= len(PAYLOADS) // 10, unflagged


# The sanitisers -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("index", "payload"), CASES, ids=IDS)
def test_the_remote_sanitiser_leaves_nothing_executable(index: int, payload: str) -> None:
    cleaned = sanitize_remote_html(payload)
    assert executable_markup(cleaned) == [], cleaned
    # Re-parsing what we serialised must give the same tree (a mutation-XSS symptom otherwise).
    assert sanitize_remote_html(cleaned) == cleaned


@pytest.mark.parametrize(("index", "payload"), CASES, ids=IDS)
def test_the_local_sanitiser_leaves_nothing_executable(index: int, payload: str) -> None:
    cleaned = sanitize_html(payload)
    assert executable_markup(cleaned) == [], cleaned


# Through the inbox, onto the pages ---------------------------------------------------------------------------


@pytest.mark.parametrize(("index", "payload"), CASES, ids=IDS)
def test_a_payload_in_a_reply_or_a_remote_summary_is_stored_and_shown_inert(
    site: Site, index: int, payload: str
) -> None:
    marker = f"Payload {index}:"
    content = f"<p>{marker}</p>{payload}"  # visible text, so the Note is never empty once sanitised
    reply = reply_note(site.sender, f"xss-{index}", site.summary_url, content)
    remote = summary_note(site.sender, f"xss-{index}", {"title": "XSS", "arxiv": _arxiv_id(index)}, content=content)
    creates = [activity(site.sender, "Create", note) for note in (reply, remote)]

    statuses = [deliver(site.client, site.sender, create).status_code for create in creates]
    process(site.app)

    assert statuses == [202, 202]
    items = [inbox_item(site.app, create["id"]) for create in creates]
    assert [(item.status, item.error) for item in items if item is not None] == [("done", None)] * 2

    stored_reply = comment_html(site.app, reply["id"])
    stored_summary = summary_of(site.app, remote["id"])
    assert stored_reply is not None and stored_summary is not None
    for stored in (stored_reply, stored_summary[1]):
        assert executable_markup(stored) == [], stored

    comment_region = f'//li[@id="c-{_comment_public_id(site.app, reply["id"])}"]/{RENDERED}'
    summary_region = f'//article[@id="s-{stored_summary[0]}"]//{RENDERED}'
    for page, xpath in ((f"/s/{site.summary_public_id}", comment_region), (f"/s/{stored_summary[0]}", summary_region)):
        response = site.client.get(page)
        assert response.status_code == 200
        regions = rendered_regions(response.get_data(as_text=True), xpath)
        assert regions and marker in regions[0].text_content(), page
        for region in regions:
            assert findings_in(region) == [], serialise(region)


def _arxiv_id(index: int) -> str:
    return f"2501.{index:05d}"


def _comment_public_id(app: Flask, uri: str) -> str | None:
    with app.app_context():
        return db.session.scalar(db.select(Comment.public_id).where(Comment.uri == uri))

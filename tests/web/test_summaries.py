"""Summaries: writing with maths, preview, drafts, private share links, revisions, limits, permissions."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from sqlalchemy import func, select

from fediscience.db import db
from fediscience.summaries.models import Summary, SummaryRevision
from tests.helpers import post_form

MATHS = "We minimise $L = \\sum_i (y_i - \\hat{y}_i)^2$.\n\n$$\\int_0^1 x^2\\,dx = \\frac{1}{3}$$\n"


def write(client, paper_id: str, source: str = MATHS, **flags: str):
    return post_form(client, f"/p/{paper_id}/summarize", {"source": source, "save": "Save", **flags})


def summary_id(app) -> str:
    with app.app_context():
        return db.session.scalar(select(Summary.public_id))


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(model.id)))


def test_a_summary_renders_maths_as_mathml_with_tex_annotations(app, alice, paper_id):
    response = write(alice, paper_id)
    assert response.status_code == 302
    page = alice.get(response.headers["Location"]).get_data(as_text=True)
    assert page.count("<math") == 2
    assert '<annotation encoding="application/x-tex">\\int_0^1 x^2\\,dx = \\frac{1}{3}</annotation>' in page
    assert 'display="block"' in page


def test_preview_renders_without_saving(app, alice, paper_id):
    response = post_form(alice, f"/p/{paper_id}/summarize", {"source": MATHS, "preview": "Preview"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Preview" in page and "<math" in page
    assert count(app, Summary) == 0


def test_one_summary_per_user_per_paper(app, alice, paper_id):
    write(alice, paper_id)
    again = alice.get(f"/p/{paper_id}/summarize")
    assert again.status_code == 302 and "/edit" in again.headers["Location"]
    assert count(app, Summary) == 1


def test_a_draft_is_visible_only_to_its_author(app, alice, bob, client, paper_id):
    write(alice, paper_id, draft="y")
    public_id = summary_id(app)
    assert alice.get(f"/s/{public_id}").status_code == 200
    assert bob.get(f"/s/{public_id}").status_code == 404
    assert client.get(f"/s/{public_id}").status_code == 404
    assert "We minimise" not in client.get(f"/p/{paper_id}").get_data(as_text=True)
    assert "We minimise" not in client.get("/").get_data(as_text=True)


def test_a_private_summary_opens_with_its_share_link_only(app, alice, client, paper_id):
    write(alice, paper_id, private="y")
    public_id = summary_id(app)
    with app.app_context():
        token = db.session.scalar(select(Summary.share_token))
    assert len(token) >= 32
    assert client.get(f"/s/{public_id}").status_code == 404
    assert client.get(f"/s/{public_id}?share=wrong").status_code == 404
    assert client.get(f"/s/{public_id}?share={token}").status_code == 200
    assert "We minimise" not in client.get("/").get_data(as_text=True)


def test_every_edit_keeps_a_viewable_revision(app, alice, paper_id):
    write(alice, paper_id, source="First version with $a$.")
    public_id = summary_id(app)
    response = post_form(alice, f"/s/{public_id}/edit", {"source": "Second version with $b$.", "save": "Save"})
    assert response.status_code == 302
    assert count(app, SummaryRevision) == 2
    history = alice.get(f"/s/{public_id}/revisions").get_data(as_text=True)
    assert "Revision 1" in history and "Revision 2" in history
    first = alice.get(f"/s/{public_id}/revisions/1").get_data(as_text=True)
    assert "First version" in first
    assert "Second version" in alice.get(f"/s/{public_id}").get_data(as_text=True)
    assert alice.get(f"/s/{public_id}/revisions/9").status_code == 404


def test_editing_someone_elses_summary_is_403(app, alice, bob, paper_id):
    write(alice, paper_id)
    public_id = summary_id(app)
    assert bob.get(f"/s/{public_id}/edit").status_code == 403
    response = post_form(bob, f"/s/{public_id}/edit", {"source": "hijacked", "save": "Save"})
    assert response.status_code == 403
    assert post_form(bob, f"/s/{public_id}/delete", {}).status_code == 403
    assert "hijacked" not in alice.get(f"/s/{public_id}").get_data(as_text=True)


def test_a_summary_over_100_kb_is_refused_with_a_message(app, alice, paper_id):
    response = write(alice, paper_id, source="x" * 100_001)
    assert response.status_code == 400
    assert "the limit is 100 KB" in response.get_data(as_text=True)
    assert count(app, Summary) == 0


def test_an_empty_summary_is_refused(app, alice, paper_id):
    assert write(alice, paper_id, source="   ").status_code == 400
    assert count(app, Summary) == 0


def test_writing_needs_a_login_and_an_existing_paper(client, alice, paper_id):
    assert client.get(f"/p/{paper_id}/summarize").status_code == 302
    assert alice.get("/p/unknown/summarize").status_code == 404


def test_the_author_can_delete_a_summary(app, alice, paper_id):
    write(alice, paper_id)
    public_id = summary_id(app)
    assert post_form(alice, f"/s/{public_id}/delete", {}).status_code == 302
    assert count(app, Summary) == 0
    assert alice.get(f"/s/{public_id}").status_code == 404


class _Scan(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.bad: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "iframe", "object", "embed", "form", "style") and not self._ours(attrs):
            self.bad.append(tag)
        for name, value in attrs:
            if name.startswith("on") or (value or "").strip().lower().startswith("javascript:"):
                self.bad.append(f"{tag}[{name}]")

    @staticmethod
    def _ours(attrs: list[tuple[str, str | None]]) -> bool:
        attributes = dict(attrs)
        if attributes.get("type") == "application/ld+json":  # the page's JSON-LD: data, never run
            return True
        if (attributes.get("src") or "").startswith("/static/"):  # our own script files (the copy button)
            return True
        return attributes.get("method") in ("post", "get") and (attributes.get("action") or "").startswith("/")


def test_script_and_handlers_in_a_summary_never_reach_the_page(app, alice, paper_id):
    source = (
        "<script>alert(1)</script> <img src=x onerror=alert(2)> [x](javascript:alert(3)) "
        "<iframe src=https://evil.example></iframe> <a href=\"javascript:alert(4)\">y</a> $x$"
    )
    assert write(alice, paper_id, source=source).status_code == 302
    scan = _Scan()
    scan.feed(alice.get(f"/s/{summary_id(app)}").get_data(as_text=True))
    assert scan.bad == []


def test_the_home_page_lists_the_latest_public_summaries(app, alice, paper_id, client):
    write(alice, paper_id)
    page = client.get("/").get_data(as_text=True)
    assert "Robustness of classifiers" in page and "<math" in page


def test_a_public_summary_page_says_how_to_reply_from_the_fediverse(app, alice, client, paper_id):
    write(alice, paper_id)
    public_id = summary_id(app)
    page = client.get(f"/s/{public_id}").get_data(as_text=True)
    assert 'class="fediverse"' in page and "Mastodon" in page
    address = re.search(r'<input type="text" readonly value="([^"]+)" id="fediverse-url-', page)
    assert address and re.fullmatch(rf"https?://[^/]+/s/{public_id}", address.group(1)), address
    assert "copy.js" in page


def test_a_private_summary_page_has_no_fediverse_box(app, alice, paper_id):
    write(alice, paper_id, private="y")
    public_id = summary_id(app)
    page = alice.get(f"/s/{public_id}").get_data(as_text=True)
    assert "This summary is private" in page
    assert 'class="fediverse"' not in page

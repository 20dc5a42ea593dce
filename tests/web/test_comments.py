"""Threaded comments: reply to any comment, maths yes and images no, edit and delete one's own."""

from __future__ import annotations

from html.parser import HTMLParser

from sqlalchemy import select

from fediscience.comments.models import Comment
from fediscience.db import db
from tests.helpers import post_form
from tests.web.test_summaries import summary_id, write


class _Nesting(HTMLParser):
    """Records, for each comment element, the comment element it is nested in and whether an <ol> is between."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, str | None]] = []
        self.parent_of: dict[str, str | None] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element_id = dict(attrs).get("id")
        if tag == "li" and element_id and element_id.startswith("c-"):
            enclosing = [i for t, i in self.stack if t == "li" and i and i.startswith("c-")]
            self.parent_of[element_id] = enclosing[-1] if enclosing else None
            assert self.stack and self.stack[-1][0] == "ol", "a comment must sit in an <ol class=thread>"
        if tag not in ("br", "img", "input", "hr", "meta", "link"):
            self.stack.append((tag, element_id))

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.stack.pop()[0] == tag:
                break


def comment(client, summary: str, source: str, parent: str | None = None):
    data = {"source": source, **({"parent": parent} if parent else {})}
    return post_form(client, f"/s/{summary}/comments", data)


def comment_id(app, source: str) -> str:
    with app.app_context():
        return db.session.scalar(select(Comment.public_id).where(Comment.source == source))


def test_threaded_replies_nest_under_their_parent(app, alice, bob, paper_id):
    write(alice, paper_id)
    summary = summary_id(app)
    assert comment(bob, summary, "Why $\\lambda = 0.1$?").status_code == 302
    parent = comment_id(app, "Why $\\lambda = 0.1$?")
    assert comment(alice, summary, "Tuned on validation.", parent).status_code == 302
    child = comment_id(app, "Tuned on validation.")
    assert comment(bob, summary, "Thanks!", child).status_code == 302
    page = alice.get(f"/s/{summary}").get_data(as_text=True)
    assert page.index(f'id="c-{parent}"') < page.index(f'id="c-{child}"') < page.index("Thanks!")
    nesting = _Nesting()
    nesting.feed(page)
    grandchild = comment_id(app, "Thanks!")
    assert nesting.parent_of == {f"c-{parent}": None, f"c-{child}": f"c-{parent}", f"c-{grandchild}": f"c-{child}"}
    assert "<math" in page.split(f'id="c-{parent}"')[1]
    assert "3 comments" in page


def test_comments_carry_no_images(app, alice, bob, paper_id):
    write(alice, paper_id)
    summary = summary_id(app)
    comment(bob, summary, "![plot](https://example.org/plot.png)")
    with app.app_context():
        html = db.session.scalar(select(Comment.html))
    assert "<img" not in html and "https://example.org/plot.png" in html


def test_edit_and_delete_ones_own_comment_only(app, alice, bob, paper_id):
    write(alice, paper_id)
    summary = summary_id(app)
    comment(bob, summary, "Original")
    public_id = comment_id(app, "Original")
    assert post_form(alice, f"/c/{public_id}/edit", {"source": "Hijacked"}).status_code == 403
    assert post_form(alice, f"/c/{public_id}/delete", {}).status_code == 403
    assert post_form(bob, f"/c/{public_id}/edit", {"source": "Edited"}).status_code == 302
    page = bob.get(f"/s/{summary}").get_data(as_text=True)
    assert "Edited" in page and "Hijacked" not in page and "edited" in page
    assert post_form(bob, f"/c/{public_id}/delete", {}).status_code == 302
    assert "Edited" not in bob.get(f"/s/{summary}").get_data(as_text=True)


def test_a_deleted_comment_with_replies_leaves_a_placeholder(app, alice, bob, paper_id):
    write(alice, paper_id)
    summary = summary_id(app)
    comment(bob, summary, "Parent")
    parent = comment_id(app, "Parent")
    comment(alice, summary, "Reply", parent)
    comment(bob, summary, "Lonely")
    post_form(bob, f"/c/{parent}/delete", {})
    post_form(bob, f"/c/{comment_id(app, 'Lonely')}/delete", {})
    page = alice.get(f"/s/{summary}").get_data(as_text=True)
    assert page.count("[deleted]") == 1 and "Reply" in page and "Parent" not in page
    assert "1 comment<" in page


def test_bad_comments_change_nothing(app, alice, bob, paper_id):
    write(alice, paper_id)
    summary = summary_id(app)
    assert comment(bob, summary, "   ").status_code == 400
    assert comment(bob, summary, "x", parent="nosuchcomment").status_code == 400
    assert comment(bob, summary, "y" * 20_001).status_code == 400
    assert bob.post(f"/s/{summary}/comments", data={"source": "no token"}).status_code == 400
    with app.app_context():
        assert db.session.scalar(select(Comment.id)) is None


def test_a_reply_must_belong_to_the_same_summary(app, alice, bob, paper_id):
    from tests.helpers import make_paper

    write(alice, paper_id)
    first = summary_id(app)
    comment(bob, first, "On the first")
    with app.app_context():
        other = make_paper("Other", arxiv_id="1512.03385").public_id
        db.session.commit()
    write(alice, other)
    with app.app_context():
        from fediscience.summaries.models import Summary

        second = db.session.scalar(select(Summary.public_id).where(Summary.public_id != first))
    response = comment(bob, second, "Cross-thread", parent=comment_id(app, "On the first"))
    assert response.status_code == 400

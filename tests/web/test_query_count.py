"""The paper page runs a bounded, constant number of SQL queries, however many summaries and comments."""

from __future__ import annotations

from fediscience.comments.services import add_comment
from fediscience.db import db
from fediscience.summaries.services import create_summary
from fediscience.users.services import register_user
from fediscience.votes.services import cast_vote
from tests.helpers import PASSWORD, count_queries, login, make_paper

MAX_QUERIES = 15


def _fill(paper, authors, reader, comments_per_summary: int) -> None:
    for index, author in enumerate(authors):
        summary = create_summary(author, paper, f"Summary {index} with $x_{index}$.", draft=False, private=False)
        cast_vote(reader, summary, 1 if index % 2 else -1)
        parent = None
        for number in range(comments_per_summary):
            parent = add_comment(reader, summary, f"Comment {number} on $y$", parent if number % 3 else None)


def _page_queries(app, client, paper_id: str, summaries: int, comments: int) -> int:
    with count_queries(app) as statements:
        response = client.get(f"/p/{paper_id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert page.count('class="summary"') == summaries
    assert page.count('class="comment"') == summaries * comments
    return len(statements)


def test_paper_page_queries_are_few_and_constant(app):
    with app.app_context():
        big = make_paper("Crowded paper", arxiv_id="1512.03385")
        small = make_paper("Quiet paper", arxiv_id="1707.06684")
        authors = [register_user(f"author{i}", f"a{i}@example.org", PASSWORD).actor for i in range(20)]
        reader = register_user("reader", "reader@example.org", PASSWORD).actor
        _fill(big, authors, reader, 10)
        _fill(small, authors[:2], reader, 2)
        db.session.commit()
        big_id, small_id = big.public_id, small.public_id
    client = app.test_client()
    login(client, "reader")
    many = _page_queries(app, client, big_id, 20, 10)
    few = _page_queries(app, client, small_id, 2, 2)
    print(f"paper page: {many} queries for 20 summaries and 200 comments, {few} for 2 and 4")
    assert many <= MAX_QUERIES, many
    assert few == many, (few, many)

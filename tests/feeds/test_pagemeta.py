"""OpenGraph, Twitter cards, canonical and feed links, and JSON-LD on summary, paper and profile pages."""

from __future__ import annotations

import json

from sqlalchemy import select

from fediscience.db import db
from fediscience.summaries.models import Summary
from fediscience.summaries.services import create_summary
from fediscience.users.models import User
from fediscience.users.services import find_user, register_user
from tests.feeds.conftest import World
from tests.feeds.pages import Head, read_head
from tests.helpers import PASSWORD, login, make_paper

BASE = "http://localhost"
BREAKOUT = "</script><script>alert(1)</script>"


def head_of(client, path: str) -> Head:
    response = client.get(path)
    assert response.status_code == 200, path
    return read_head(response.get_data(as_text=True))


def test_a_summary_page_is_an_article_card_with_a_review_in_json_ld(app, client, world: World):
    head = head_of(client, f"/s/{world.ann_deep}")
    url = f"{BASE}/s/{world.ann_deep}"
    assert head.first("og:type") == "article"
    assert head.first("og:title") == "Summary of Deep learning of things by ann"
    assert head.first("og:url") == url and head.canonical() == [url]
    assert head.first("og:site_name") == "FediScience"
    assert head.first("og:description").startswith("We minimise $L")
    assert head.first("twitter:card") == "summary"
    assert head.first("article:author") == f"{BASE}/u/{world.ann}"
    assert head.first("article:published_time").endswith("+00:00")
    assert head.meta["article:tag"] == ["cs.LG", "stat.ML"]
    assert "robots" not in head.meta
    assert f"{BASE}/p/{world.deep}/feed.atom" in head.feeds() and f"{BASE}/u/{world.ann}/feed.atom" in head.feeds()
    [data] = head.json_ld()
    assert data["@context"] == "https://schema.org" and data["@type"] == "Review" and data["url"] == url
    assert data["author"] == {"@type": "Person", "name": "ann", "url": f"{BASE}/u/{world.ann}"}
    assert data["datePublished"] and data["dateModified"]
    paper = data["itemReviewed"]
    assert paper["@type"] == "ScholarlyArticle" and paper["name"] == "Deep learning of things"
    assert paper["url"] == f"{BASE}/p/{world.deep}"
    assert [author["name"] for author in paper["author"]] == ["Ada Lovelace", "Alan Turing"]
    assert paper["datePublished"] == "2017-07-21"
    assert {"propertyID": "DOI", "value": "10.1000/deep.1", "@type": "PropertyValue"} in paper["identifier"]
    assert {"propertyID": "arXiv", "value": "1707.06684", "@type": "PropertyValue"} in paper["identifier"]
    assert "https://arxiv.org/abs/1707.06684" in paper["sameAs"] and "https://doi.org/10.1000/deep.1" in paper["sameAs"]


def test_a_paper_page_is_a_scholarly_article_listing_only_public_summaries(app, client, world: World):
    login(client, "ben")  # ben's own draft of this paper shows on his page, but never in its metadata
    response = client.get(f"/p/{world.deep}")
    assert "DRAFT-SECRET" in response.get_data(as_text=True)
    head = read_head(response.get_data(as_text=True))
    url = f"{BASE}/p/{world.deep}"
    assert head.first("og:url") == url and head.canonical() == [url]
    assert head.first("og:title") == "Deep learning of things"
    assert head.first("og:description").startswith("We study things.")
    assert len(head.first("og:description")) <= 200
    assert f"{url}/feed.atom" in head.feeds()
    [data] = head.json_ld()
    assert data["@type"] == "ScholarlyArticle" and data["name"] == "Deep learning of things"
    assert {review["url"] for review in data["review"]} == {f"{BASE}/s/{world.ann_deep}", f"{BASE}/s/{world.cat_deep}"}
    head_text = response.get_data(as_text=True).split("</head>")[0]
    assert "DRAFT-SECRET" not in head_text and world.hidden["ben_deep_draft"] not in head_text


def test_a_profile_page_is_a_profile_card_with_its_feed(app, client, world: World):
    head = head_of(client, f"/u/{world.ann}")
    url = f"{BASE}/u/{world.ann}"
    assert head.first("og:type") == "profile" and head.first("og:url") == url
    assert head.first("profile:username") == "ann"
    assert f"{url}/feed.atom" in head.feeds()
    [data] = head.json_ld()
    assert data["@type"] == "ProfilePage" and data["mainEntity"]["@type"] == "Person"
    assert data["mainEntity"]["url"] == url and data["mainEntity"]["alternateName"] == "@ann"


def test_every_page_links_the_latest_feed(app, client, world: World):
    for path in ("/", f"/p/{world.deep}", "/venues"):
        assert f"{BASE}/feeds/latest.atom" in head_of(client, path).feeds(), path


def test_a_private_summary_opened_by_its_share_link_is_noindex_without_address_or_json_ld(app, client, world: World):
    with app.app_context():
        token = db.session.scalar(
            select(Summary.share_token).where(Summary.public_id == world.hidden["ann_old_private"])
        )
    head = head_of(client, f"/s/{world.hidden['ann_old_private']}?share={token}")
    assert head.first("robots") == "noindex, nofollow"
    assert head.json_ld() == [] and head.canonical() == []
    assert "og:url" not in head.meta and "article:published_time" not in head.meta
    assert world.hidden["ann_old_private"] not in "".join(head.feeds())


def test_a_draft_seen_by_its_author_is_noindex(app, client, world: World):
    login(client, "ben")
    head = head_of(client, f"/s/{world.hidden['ben_deep_draft']}")
    assert head.first("robots") == "noindex, nofollow" and head.json_ld() == []


def test_a_public_summary_is_indexable(app, client, world: World):
    assert "robots" not in head_of(client, f"/s/{world.ben_old}").meta


def test_titles_cannot_break_out_of_the_json_ld_script(app, client):
    with app.app_context():
        paper = make_paper(BREAKOUT + " & friends", arxiv_id="2001.00002", abstract=BREAKOUT)
        user = _register("mallory", BREAKOUT)
        summary = create_summary(user.actor, paper, "Fine.", draft=False, private=False)
        db.session.commit()
        paper_id, summary_id, actor_id = paper.public_id, summary.public_id, user.actor.public_id
    for path in (f"/p/{paper_id}", f"/s/{summary_id}", f"/u/{actor_id}"):
        page = client.get(path).get_data(as_text=True)
        assert "<script>alert(1)" not in page, path
        head = read_head(page)
        inline = [attrs for attrs, _ in head.scripts if not (attrs.get("src") or "").startswith("/static/")]
        assert [attrs.get("type") for attrs in inline] == ["application/ld+json"], path  # our files aside
        [data] = head.json_ld()
        assert BREAKOUT in json.dumps(data, ensure_ascii=False), path  # the text survives, as data
        assert BREAKOUT in head.first("og:title"), path


def _register(username: str, display_name: str) -> User:
    user = register_user(username, f"{username}@example.org", PASSWORD)
    user.actor.display_name = display_name
    return user


def test_a_long_summary_gives_a_short_description(app, client, world: World):
    with app.app_context():
        paper = make_paper("Long read", arxiv_id="2001.00003")
        summary = create_summary(find_user("ann").actor, paper, "word " * 500, draft=False, private=False)
        db.session.commit()
        public_id = summary.public_id
    head = head_of(client, f"/s/{public_id}")
    description = head.first("og:description")
    assert 100 < len(description) <= 200 and description.endswith("…")
    assert head.first("description") == head.first("twitter:description") == description

"""Atom feeds: valid, absolute, the right public summaries and never a draft or a private one."""

from __future__ import annotations

from urllib.parse import urlsplit

import feedparser
import pytest
from sqlalchemy import select

from fediscience.db import db
from fediscience.summaries.models import Summary
from fediscience.summaries.services import edit_summary
from tests.feeds.conftest import World
from tests.helpers import make_paper

BASE = "http://localhost"
SECRETS = ("DRAFT-SECRET", "PRIVATE-SECRET", "PRIVATE-QUIET")


def fetch(client, path: str) -> feedparser.FeedParserDict:
    response = client.get(path)
    assert response.status_code == 200, path
    assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    body = response.get_data()
    for secret in SECRETS:
        assert secret.encode() not in body, (path, secret)
    parsed = feedparser.parse(body)
    assert parsed.bozo == 0, (path, parsed.get("bozo_exception"))
    assert parsed.version == "atom10"
    return parsed


def entry_ids(feed: feedparser.FeedParserDict) -> list[str]:
    return [entry.id for entry in feed.entries]


def s(public_id: str) -> str:
    return f"{BASE}/s/{public_id}"


def test_latest_feed_lists_public_summaries_newest_first(app, client, world: World):
    feed = fetch(client, "/feeds/latest.atom")
    assert entry_ids(feed) == [s(world.ann_deep), s(world.cat_deep), s(world.ben_old)]
    assert feed.feed.id == f"{BASE}/feeds/latest.atom"
    links = {link.rel: link.href for link in feed.feed.links}
    assert links == {"self": f"{BASE}/feeds/latest.atom", "alternate": f"{BASE}/"}
    assert feed.feed.generator == "FediScience"
    assert feed.feed.updated_parsed == feed.entries[0].updated_parsed  # the newest entry's


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/p/{deep}/feed.atom", ["ann_deep", "cat_deep"]),
        ("/p/{old}/feed.atom", ["ben_old"]),
        ("/p/{quiet}/feed.atom", []),
        ("/u/{ann}/feed.atom", ["ann_deep"]),
        ("/u/{ben}/feed.atom", ["ben_old"]),
        ("/venues/{nips}/feed.atom", ["ann_deep", "cat_deep", "ben_old"]),
        ("/venues/{icml}/feed.atom", []),
    ],
)
def test_each_feed_holds_only_its_own_public_summaries(app, client, world: World, path, expected):
    feed = fetch(client, path.format(**vars(world)))
    assert entry_ids(feed) == [s(getattr(world, name)) for name in expected]
    assert not {s(hidden) for hidden in world.hidden.values()} & set(entry_ids(feed))


def test_an_empty_feed_is_still_valid_with_a_fixed_updated_time(app, client, world: World):
    feed = fetch(client, f"/p/{world.quiet}/feed.atom")
    assert feed.entries == []
    assert feed.feed.updated.startswith("1970-01-01T00:00:00")
    assert feed.feed.title == "Summaries of Quiet one · FediScience"


def test_entries_carry_title_author_dates_excerpt_categories_and_links(app, client, world: World):
    entry = fetch(client, f"/p/{world.deep}/feed.atom").entries[0]
    assert entry.title == "Summary of Deep learning of things by ann"
    assert entry.author_detail.name == "ann"
    assert entry.author_detail.href == f"{BASE}/u/{world.ann}"
    assert entry.published_parsed and entry.updated_parsed >= entry.published_parsed
    assert [tag.term for tag in entry.tags] == ["cs.LG", "stat.ML"]
    assert entry.summary.startswith("We minimise $L = \\sum_i")
    assert "<" not in entry.summary
    links = {link.rel: link.href for link in entry.links}
    assert links == {"alternate": s(world.ann_deep), "related": f"{BASE}/p/{world.deep}"}


def test_remote_authors_link_to_their_own_profile(app, client, world: World):
    entry = fetch(client, f"/p/{world.deep}/feed.atom").entries[1]
    assert entry.author_detail.name == "Cat Remote"
    assert entry.author_detail.href == "https://remote.example/@cat"


def test_mathml_survives_in_the_entry_content(app, client, world: World):
    entry = fetch(client, f"/u/{world.ann}/feed.atom").entries[0]
    content = entry.content[0]
    assert content.type == "text/html"
    assert content.value.count("<math") == 2
    assert '<annotation encoding="application/x-tex">\\int_0^1 x^2\\,dx = \\frac{1}{3}</annotation>' in content.value


def test_addresses_come_from_the_settings_not_the_request_host(app, client, world: World):
    response = client.get("/feeds/latest.atom", base_url="http://attacker.example")
    feed = feedparser.parse(response.get_data())
    urls = [feed.feed.id, *entry_ids(feed), *(link.href for entry in feed.entries for link in entry.links)]
    assert urls and all(url.startswith(BASE + "/") or url.startswith("https://remote.example/") for url in urls)
    assert b"attacker" not in response.get_data()


def test_every_link_in_a_feed_leads_to_a_page(app, client, world: World):
    feed = fetch(client, "/feeds/latest.atom")
    local = {link.href for entry in feed.entries for link in entry.links} | {feed.feed.id}
    local |= {entry.author_detail.href for entry in feed.entries if entry.author_detail.href.startswith(BASE)}
    for url in local:
        assert client.get(urlsplit(url).path).status_code == 200, url


def test_a_summary_made_private_leaves_every_feed(app, client, world: World):
    with app.app_context():
        summary = db.session.scalar(select(Summary).where(Summary.public_id == world.ann_deep))
        edit_summary(summary, summary.author, summary.source, draft=False, private=True)
        db.session.commit()
    for path in ("/feeds/latest.atom", f"/p/{world.deep}/feed.atom", f"/u/{world.ann}/feed.atom",
                 f"/venues/{world.nips}/feed.atom"):
        assert s(world.ann_deep) not in entry_ids(fetch(client, path)), path


@pytest.mark.parametrize(
    "path",
    ["/p/nosuchpaper/feed.atom", "/u/nosuchuser/feed.atom", "/venues/nosuchvenue/feed.atom", "/u/{cat}/feed.atom"],
)
def test_unknown_ids_and_remote_users_are_404(app, client, world: World, path):
    assert client.get(path.format(**vars(world))).status_code == 404


def test_a_title_that_looks_like_markup_stays_text(app, client):
    with app.app_context():
        paper = make_paper("</title><script>alert(1)</script> & \x01 co", arxiv_id="2001.00001")
        db.session.commit()
        public_id = paper.public_id
    feed = fetch(client, f"/p/{public_id}/feed.atom")
    assert feed.feed.title == "Summaries of </title><script>alert(1)</script> &  co · FediScience"

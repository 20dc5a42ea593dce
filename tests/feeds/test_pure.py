"""The pure parts: excerpts, XML-safe text, script-safe JSON, sitemap documents and an Atom feed from model objects."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from xml.etree import ElementTree

import feedparser

from fediscience.feeds import FeedInfo, Site, SitemapUrl, build_atom, build_sitemap_index, build_urlset
from fediscience.feeds.jsonld import script_json, web_url
from fediscience.feeds.text import excerpt, xml_safe
from fediscience.papers.models import Paper
from fediscience.summaries.models import Summary
from fediscience.users.models import Actor

SITE = Site("https://science.example", "Science")
NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def _summary(title: str, html: str, name: str = "ann", *, hours_ago: int = 0) -> Summary:
    moment = datetime(2024, 5, 1, 12, tzinfo=timezone.utc) - timedelta(hours=hours_ago)
    paper = Paper(title=title, public_id=f"p{hours_ago}", keywords=["cs.LG", 3, ""])
    author = Actor(local=True, username=name, public_id=f"a{hours_ago}", display_name="")
    return Summary(
        paper=paper, author=author, public_id=f"s{hours_ago}", html=html, published_at=moment,
        created_at=moment, updated_at=moment,
    )


def test_excerpt_keeps_short_text_and_cuts_long_text_at_a_word():
    assert excerpt("  a\n short   text ") == "a short text"
    cut = excerpt("alpha beta gamma delta " * 20, 50)
    assert len(cut) <= 50 and cut.endswith("…") and cut[:-1].split()[-1] in {"alpha", "beta", "gamma", "delta"}
    assert len(excerpt("x" * 500, 200)) == 200  # no space to cut at: cut anyway


def test_xml_safe_drops_only_what_xml_cannot_carry():
    assert xml_safe("a\x00b\x01c\x1fd\ufffee\tf\ng\U0001f600") == "abcde\tf\ng\U0001f600"


def test_script_json_cannot_close_a_script_element_and_round_trips():
    data = {"name": "</script><script>alert(1)</script> & <!-- \u2028"}
    text = str(script_json(data))
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == data


def test_only_web_addresses_become_links():
    assert web_url("https://example.org/x") == "https://example.org/x"
    assert web_url("javascript:alert(1)") is None and web_url(None) is None and web_url("") is None


def test_an_atom_feed_from_model_objects_parses_and_keeps_the_order():
    summaries = [_summary("Newer \x01paper", "<p>one</p>"), _summary("Older", "<p>two</p>", hours_ago=2)]
    info = FeedInfo("Latest", SITE.latest_feed_url(), SITE.url("/"), subtitle="New summaries")
    parsed = feedparser.parse(build_atom(SITE, info, summaries))
    assert parsed.bozo == 0
    assert [entry.id for entry in parsed.entries] == ["https://science.example/s/s0", "https://science.example/s/s2"]
    assert parsed.entries[0].title == "Summary of Newer paper by ann"
    assert [tag.term for tag in parsed.entries[0].tags] == ["cs.LG"]  # non-text and empty keywords are skipped
    assert parsed.feed.updated.startswith("2024-05-01T12:00:00")
    assert parsed.feed.subtitle == "New summaries"


def test_an_empty_feed_is_dated_at_the_epoch():
    parsed = feedparser.parse(build_atom(SITE, FeedInfo("Empty", SITE.url("/f.atom"), SITE.url("/")), []))
    assert parsed.bozo == 0 and parsed.entries == []
    assert parsed.feed.updated.startswith("1970-01-01T00:00:00")


def test_sitemap_documents_parse_with_their_namespace():
    moment = datetime(2024, 5, 1, 12, 30, 15, 999, tzinfo=timezone(timedelta(hours=2)))
    urls = [SitemapUrl(SITE.url("/"), moment), SitemapUrl(SITE.url("/x?a=1&b=2"))]
    urlset = ElementTree.fromstring(build_urlset(urls))
    assert urlset.tag == f"{NS}urlset"
    assert [element.text for element in urlset.iter(f"{NS}loc")] == [url.loc for url in urls]
    assert [element.text for element in urlset.iter(f"{NS}lastmod")] == ["2024-05-01T10:30:15+00:00"]
    index = ElementTree.fromstring(build_sitemap_index([SitemapUrl(SITE.url("/sitemaps/site-1.xml"))]))
    assert index.tag == f"{NS}sitemapindex" and len(index) == 1

"""The sitemap and robots.txt: every public page, never a draft or a private summary."""

from __future__ import annotations

from urllib.parse import urlsplit
from xml.etree import ElementTree

from sqlalchemy import select

from fediscience.db import db
from fediscience.summaries.models import Summary
from fediscience.web import feeds as feeds_view
from tests.feeds.conftest import World

BASE = "http://localhost"
NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def read(client, path: str) -> ElementTree.Element:
    response = client.get(path)
    assert response.status_code == 200, path
    assert response.mimetype == "application/xml"
    return ElementTree.fromstring(response.get_data())


def locs(root: ElementTree.Element) -> list[str]:
    return [element.text for element in root.iter(f"{NS}loc")]


def test_the_sitemap_lists_every_public_summary_and_no_other(app, client, world: World):
    root = read(client, "/sitemap.xml")
    assert root.tag == f"{NS}urlset"
    listed = locs(root)
    with app.app_context():
        public = set(db.session.scalars(select(Summary.public_id).where(~Summary.is_draft, ~Summary.is_private)))
        hidden = set(db.session.scalars(select(Summary.public_id).where(Summary.is_draft | Summary.is_private)))
    assert public == {world.ann_deep, world.cat_deep, world.ben_old}
    assert {url for url in listed if "/s/" in url} == {f"{BASE}/s/{public_id}" for public_id in public}
    assert hidden == set(world.hidden.values())
    assert not any(public_id in url for url in listed for public_id in hidden)
    assert len(listed) == len(set(listed))


def test_the_sitemap_lists_home_papers_with_public_summaries_and_their_authors(app, client, world: World):
    listed = set(locs(read(client, "/sitemap.xml")))
    assert {f"{BASE}/", f"{BASE}/p/{world.deep}", f"{BASE}/p/{world.old}"} <= listed
    assert f"{BASE}/p/{world.quiet}" not in listed  # only a private summary
    assert {url for url in listed if "/u/" in url} == {f"{BASE}/u/{world.ann}", f"{BASE}/u/{world.ben}"}


def test_entries_have_a_w3c_lastmod_and_lead_to_pages(app, client, world: World):
    root = read(client, "/sitemap.xml")
    for url in root.iter(f"{NS}url"):
        loc = url.find(f"{NS}loc").text
        assert loc.startswith(BASE + "/")
        assert client.get(urlsplit(loc).path).status_code == 200, loc
        lastmod = url.find(f"{NS}lastmod")
        if "/s/" in loc or "/p/" in loc or "/u/" in loc:
            assert lastmod is not None and lastmod.text.endswith("+00:00"), loc


def test_a_large_sitemap_becomes_an_index_of_files(app, client, world: World, monkeypatch):
    single = set(locs(read(client, "/sitemap.xml")))
    monkeypatch.setattr(feeds_view, "SITEMAP_LIMIT", 2)
    index = read(client, "/sitemap.xml")
    assert index.tag == f"{NS}sitemapindex"
    files = locs(index)
    assert len(files) == 2 + 1 + 2 + 1  # site 3, papers 2, summaries 3, users 2 addresses, two per file
    followed: list[str] = []
    for url in files:
        part = read(client, urlsplit(url).path)
        assert part.tag == f"{NS}urlset" and 1 <= len(locs(part)) <= 2
        followed += locs(part)
    assert sorted(followed) == sorted(single)


def test_missing_sitemap_files_are_404(app, client, world: World, monkeypatch):
    monkeypatch.setattr(feeds_view, "SITEMAP_LIMIT", 2)
    assert client.get("/sitemaps/summaries-2.xml").status_code == 200
    for path in ("/sitemaps/summaries-3.xml", "/sitemaps/summaries-0.xml", "/sitemaps/secrets-1.xml",
                 "/sitemaps/users-99999999999.xml"):
        assert client.get(path).status_code == 404, path


def test_robots_txt_points_at_the_sitemap(app, client):
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    lines = response.get_data(as_text=True).splitlines()
    assert f"Sitemap: {BASE}/sitemap.xml" in lines
    assert "Disallow: /settings/" in lines

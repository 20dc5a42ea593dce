"""The @mention our reply Notes open with: Mastodon's sanitiser (the model, every version) and ours keep it as a
mention link, so a Mastodon reader sees "@mara …" linking to mara's profile."""

from __future__ import annotations

import pytest
from lxml import html as lxml_html

from fediscience.federation.serialize_objects import mention_link, with_mention
from fediscience.text import sanitize_remote_html
from fediscience.users.models import Actor
from tests.federation_peer.mastodon_sanitizer import VERSIONS, sanitize, visible_text

MARA = Actor(local=False, username="mara", domain="mastodon.example", uri="https://mastodon.example/users/mara",
             profile_url="https://mastodon.example/@mara")
COMMENT = "<p>Yes, <em>each</em> column adds.</p>\n<p>Second paragraph.</p>\n"


def _mention_links(markup: str) -> list[lxml_html.HtmlElement]:
    return lxml_html.fromstring(f"<div>{markup}</div>").xpath('//span[@class="h-card"]/a[@class="u-url mention"]')


def test_the_markup_is_mastodons() -> None:
    assert mention_link(MARA) == (
        '<span class="h-card" translate="no"><a href="https://mastodon.example/@mara" class="u-url mention">'
        "@<span>mara</span></a></span>"
    )
    assert with_mention(COMMENT, MARA).startswith(f"<p>{mention_link(MARA)} Yes, <em>each</em>")


@pytest.mark.parametrize("version", VERSIONS)
def test_mastodons_sanitiser_keeps_the_mention_as_a_link(version: str) -> None:
    shown = sanitize(with_mention(COMMENT, MARA), version)
    [link] = _mention_links(shown)
    assert link.get("href") == "https://mastodon.example/@mara" and link.text_content() == "@mara"
    assert link.getparent().get("translate") == "no"
    assert visible_text(shown).splitlines() == ["@mara Yes, each column adds.", "Second paragraph."]


def test_our_sanitiser_keeps_it_too() -> None:
    [link] = _mention_links(sanitize_remote_html(with_mention(COMMENT, MARA)))
    assert link.get("href") == "https://mastodon.example/@mara" and link.text_content() == "@mara"


def test_names_and_urls_are_escaped() -> None:
    odd = Actor(local=False, username='x"<b>', domain="e.example", uri="https://e.example/u/x",
                profile_url='https://e.example/@x?a=1&b="2"')
    [link] = _mention_links(mention_link(odd))
    assert link.get("href") == 'https://e.example/@x?a=1&b="2"' and link.text_content() == '@x"<b>'

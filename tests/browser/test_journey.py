"""Two people use a served instance in Chromium: one adds a paper and summarises it with maths, the other
upvotes the summary and discusses it in a threaded comment."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Served
from tests.system.harness import PASSWORD, ROOT, query

pytestmark = pytest.mark.browser

TITLE = "ShortScience.org - Reproducing Intuition"
SUMMARY = (
    "This paper introduces **ShortScience.org**.\n\n"
    r"The loss $L = \sum_i (y_i - \hat{y}_i)^2$ and $$\int_0^1 x^2\,dx = \frac{1}{3}$$"
)
COMMENT = "Nice summary: which loss do the experiments use?"
REPLY = "The squared loss above, as far as I can tell."
SCREENSHOT = ROOT / "test-artifacts" / "paper-page.png"
TIMEOUT = 30_000  # ms: the paper look-up goes through the worker


def register(page: Page, username: str) -> None:
    page.goto("/register")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Email").fill(f"{username}@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(page.locator("p.flash")).to_contain_text("Welcome")
    expect(page.locator("header a.me")).to_contain_text(username)


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Log out").click()
    expect(page.locator("header").get_by_role("link", name="Log in")).to_be_visible()
    expect(page.locator("header a.me")).to_have_count(0)


def new_page(browser: Any, served: Served, errors: list[str]) -> Page:
    context = browser.new_context(base_url=served.base_url, viewport={"width": 1200, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(f"{page.url}: {exc}"))
    return page


def test_two_people_summarise_vote_and_discuss(browser: Any, served: Served) -> None:
    errors: list[str] = []

    # --- A adds the paper and summarises it.
    page_a = new_page(browser, served, errors)
    register(page_a, "ada")
    page_a.goto("/papers/add")
    page_a.get_by_label("arXiv id or URL, DOI, or DBLP key").fill("1707.06684")
    page_a.get_by_role("button", name="Find the paper").click()
    expect(page_a).to_have_url(re.compile(r"/papers/lookups/|/p/"))
    # The pending page refreshes itself until the worker has fetched the metadata.
    expect(page_a.locator("h1.paper-title")).to_have_text(TITLE, timeout=TIMEOUT)
    expect(page_a).to_have_url(re.compile(r"/p/[A-Za-z0-9_-]+$"))
    paper_url = page_a.url
    expect(page_a.locator("h2", has_text="0 summaries")).to_be_visible()

    page_a.get_by_role("link", name="Write a summary").click()
    page_a.locator("textarea[name=source]").fill(SUMMARY)
    page_a.get_by_role("button", name="Save", exact=True).click()
    expect(page_a).to_have_url(re.compile(r"/s/[A-Za-z0-9_-]+$"))
    summary_url = page_a.url

    rendered = page_a.locator("article.summary .rendered")
    expect(rendered.locator("strong")).to_have_text("ShortScience.org")
    inline = rendered.locator('math[display="inline"]')
    block = rendered.locator('math[display="block"]')
    expect(inline).to_have_count(1)
    expect(block).to_have_count(1)
    for formula in (inline, block):
        expect(formula).to_be_visible()
        box = formula.bounding_box()
        assert box is not None and box["width"] > 0 and box["height"] > 0, box
    # The display formula is laid out as a block of its own, below the inline one.
    inline_box, block_box = inline.bounding_box(), block.bounding_box()
    assert block_box["y"] >= inline_box["y"] + inline_box["height"] - 1, (inline_box, block_box)
    expect(rendered).not_to_contain_text("$")  # no TeX source left unrendered
    expect(page_a.locator("article.summary .score")).to_have_text("0")
    log_out(page_a)

    # --- B upvotes, comments, and replies to the comment.
    page_b = new_page(browser, served, errors)
    register(page_b, "bea")
    page_b.goto(paper_url)
    summary = page_b.locator("article.summary")
    expect(summary).to_have_count(1)
    expect(summary.locator(".score")).to_have_text("0")
    summary.locator("button.vote.up").click()
    expect(page_b).to_have_url(re.compile(re.escape(paper_url) + "#s-"))
    expect(summary.locator(".score")).to_have_text("1")
    expect(summary.locator("button.vote.up")).to_have_class(re.compile(r"\bchosen\b"))

    page_b.goto(summary_url)
    # The fediverse box: the summary's ActivityPub id, copied by its button.
    address = page_b.get_by_role("textbox", name="Fediverse address of this summary")
    expect(address).to_have_value(summary_url)
    page_b.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=served.base_url)
    copy = page_b.locator("section.fediverse button.copy")
    copy.click()
    expect(copy).to_have_text("Copied")
    assert page_b.evaluate("navigator.clipboard.readText()") == summary_url

    page_b.get_by_role("textbox", name="Comment", exact=True).fill(COMMENT)
    page_b.get_by_role("button", name="Comment", exact=True).click()
    expect(page_b).to_have_url(re.compile(r"/s/[A-Za-z0-9_-]+#c-[A-Za-z0-9_-]+$"))
    comment_id = page_b.url.rsplit("#c-", 1)[1]
    comment = page_b.locator(f"li.comment#c-{comment_id}")
    expect(comment.locator(":scope > .rendered")).to_have_text(COMMENT)
    expect(page_b.locator("section.comments h3")).to_have_text("1 comment")

    reply_box = comment.locator(":scope > details.reply")
    expect(reply_box.get_by_role("textbox", name="Reply")).to_be_hidden()
    reply_box.locator("summary").click()
    expect(reply_box).to_have_attribute("open", "")
    reply_box.get_by_role("textbox", name="Reply").fill(REPLY)
    reply_box.get_by_role("button", name="Reply").click()
    expect(page_b).to_have_url(re.compile(r"#c-[A-Za-z0-9_-]+$"))
    reply_id = page_b.url.rsplit("#c-", 1)[1]
    assert reply_id != comment_id
    expect(page_b.locator("section.comments h3")).to_have_text("2 comments")
    expect(page_b.locator(f"li.comment#c-{reply_id} .rendered").first).to_have_text(REPLY)
    log_out(page_b)

    # --- The paper page, as anyone sees it now.
    page_b.goto(paper_url)
    expect(page_b.locator("h2", has_text="1 summary")).to_be_visible()
    expect(page_b.locator("article.summary .score")).to_have_text("1")
    expect(page_b.locator("article.summary math").first).to_be_visible()
    expect(page_b.locator("article.summary li.comment")).to_have_count(2)
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    SCREENSHOT.unlink(missing_ok=True)
    page_b.screenshot(path=str(SCREENSHOT), full_page=True)
    data = SCREENSHOT.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n"), "the screenshot is not a PNG"
    assert len(data) > 20_000, f"the screenshot is suspiciously small ({len(data)} bytes)"

    # What the browser showed is what the database holds: one vote, and the reply's parent is the comment.
    assert query(served.database_url, "SELECT value FROM votes") == [(1,)]
    parents = query(
        served.database_url,
        "SELECT c.public_id, p.public_id FROM comments c LEFT JOIN comments p ON p.id = c.parent_id ORDER BY c.id",
    )
    assert parents == [(comment_id, None), (reply_id, comment_id)], parents
    assert not errors, errors
    served.check_alive()

    # The reply sits inside the comment it answers (indented under it), not beside it as a new thread.
    page = page_b
    for url in (paper_url, summary_url):
        page.goto(url)
        comment = page.locator(f"li.comment#c-{comment_id}")
        expect(comment).to_have_count(1)
        expect(comment.locator(f"li.comment#c-{reply_id}")).to_have_count(1)
        expect(page.locator(f"section.comments > ol.thread > li.comment#c-{reply_id}")).to_have_count(0)
        comment_box = comment.locator(":scope > .rendered").bounding_box()
        reply_box = page.locator(f"li.comment#c-{reply_id} > .rendered").bounding_box()
        assert reply_box["x"] > comment_box["x"], ("the reply is not indented under its comment", comment_box, reply_box)
    page_a.context.close()
    page_b.context.close()

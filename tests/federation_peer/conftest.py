"""One served FediScience instance (server + worker processes, a fresh PostgreSQL database, a Redis queue) and the
Mastodon-shaped peer, shared by the package; the scenario's steps are package fixtures, so that each test gets the
state it needs whatever order the tests run in.

The instance comes from tests/federation_e2e's `start_instances` (its Redis database, a queue of its own; private
addresses allowed, so that it talks to the peer on 127.0.0.1)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import httpx
import pytest

from tests.federation_e2e import flows
from tests.federation_e2e.conftest import Instance, running_instances
from tests.federation_peer.mastodon_model import RemoteAccount, RemoteStatus
from tests.federation_peer.mastodon_peer import MastodonPeer
from tests.federation_peer.seeds import Seed, seeds
from tests.papers.recorded_server import start_recorded_server
from tests.system import harness

FINAL = ("done", "ignored", "rejected", "failed")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome: Any = yield
    harness.attach_service_logs(item, call, outcome.get_result())


# The two servers -------------------------------------------------------------------------------------------------


@pytest.fixture(scope="package")
def ours(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Instance]:
    """Our instance: `fediscience serve` and `fediscience worker` on a fresh database."""
    with our_instance("f", tmp_path_factory) as instance:
        yield instance


@contextmanager
def our_instance(name: str, tmp_path_factory: pytest.TempPathFactory, **settings: str) -> Iterator[Instance]:
    """One instance of ours, with a recorded-metadata server of its own, stopped at the end of the block."""
    base_url, stop_recorded = start_recorded_server()
    try:
        with running_instances(name, base_url, tmp_path_factory, **settings) as started:
            yield started[name]
    finally:
        stop_recorded()


@pytest.fixture(scope="package")
def peer() -> Iterator[MastodonPeer]:
    """The Mastodon-shaped peer with its user @mara."""
    server = MastodonPeer().start()
    yield server
    server.stop()


@dataclass
class OurUser:
    """Our user: a logged-in browser-like client, and the ids the fediverse knows it by."""

    username: str
    web: harness.WebClient
    actor_url: str
    host: str

    @property
    def acct(self) -> str:
        """user@host."""
        return f"{self.username}@{self.host}"


@pytest.fixture(scope="package")
def ada(ours: Instance) -> OurUser:
    """Our user ada, registered through the form."""
    ours.web.register("ada")
    public_id = ours.scalar("SELECT public_id FROM actors WHERE username = 'ada' AND local")
    return OurUser("ada", ours.web, f"{ours.base_url}/u/{public_id}", ours.host)


# Step 1: mara follows ada ---------------------------------------------------------------------------------------


@dataclass
class Followed:
    """mara's Follow, our inbox's answer to it, and ada as the peer stored her."""

    follow: dict[str, Any]
    answer: httpx.Response
    account: RemoteAccount


@pytest.fixture(scope="package")
def followed(ours: Instance, ada: OurUser, peer: MastodonPeer) -> Followed:
    """mara resolves @ada@host, follows her and waits for the Accept."""
    follow, answer, account = peer.follow(f"@{ada.acct}")
    peer.wait_for("ada's Accept", lambda: peer.state.follows[follow["id"]]["state"] == "accepted")
    return Followed(follow, answer, account)


# Step 2: ada publishes the seed summaries -----------------------------------------------------------------------


@dataclass
class Published:
    """One published seed summary: the seed, our public id and URL, the paper title we stored, what mara got."""

    seed: Seed
    public_id: str
    url: str
    title: str
    status: RemoteStatus | None = None


@dataclass
class Publication:
    """All of ada's published seed summaries, in seed order."""

    summaries: list[Published] = field(default_factory=list)

    def by_number(self, number: int) -> Published:
        """The summary of seed `number`."""
        return self.summaries[number]


@pytest.fixture(scope="package")
def published(ours: Instance, ada: OurUser, followed: Followed, peer: MastodonPeer) -> Publication:
    """ada adds each seed's paper (BibTeX) and publishes its summary through the forms; mara receives them all."""
    result = Publication()
    for seed in seeds():
        paper_id = add_bibtex_paper(ada.web, seed.bibtex())
        summary_id = flows.write_summary(ada.web, paper_id, seed.text)
        title = ours.scalar("SELECT title FROM papers WHERE public_id = :p", p=paper_id)
        result.summaries.append(Published(seed, summary_id, f"{ours.base_url}/s/{summary_id}", title))
    urls = {item.url for item in result.summaries}
    peer.wait_for(f"the Creates of {len(urls)} summaries", lambda: urls <= set(peer.state.remote_statuses),
                  deadline=120)
    for item in result.summaries:
        item.status = dataclasses.replace(peer.state.remote_statuses[item.url])  # as created: later edits don't show
    return result


def add_bibtex_paper(web: harness.WebClient, bibtex: str) -> str:
    """Add one complete BibTeX entry through the "Add papers from BibTeX" form; the paper's public id."""
    page = web.http.get("/papers/add")
    token = harness.CSRF.search(page.text)
    assert page.status_code == 200 and token, page.text[:2000]
    response = web.http.post("/papers/add/bibtex", data={"bib-csrf_token": token.group(1), "bib-bibtex": bibtex})
    assert response.status_code == 302, (
        f"the BibTeX entry was not stored: {response.status_code}\n{response.text[:3000]}")
    location = httpx.URL(response.headers["location"]).path
    assert location.startswith("/p/"), location
    return location.removeprefix("/p/")


# Helpers for the later steps ------------------------------------------------------------------------------------


def inbox_status(ours: Instance, activity_id: str, deadline: float = 30.0) -> tuple[str, str | None]:
    """Wait until our inbox has processed the activity with this id; its (status, error)."""

    def final() -> tuple[str, str | None] | None:
        rows = ours.query("SELECT status, error FROM inbox_items WHERE activity_uri = :u", u=activity_id)
        return (rows[0][0], rows[0][1]) if rows and rows[0][0] in FINAL else None

    return flows.wait(f"our inbox to process {activity_id}", final, ours, deadline=deadline)


def collection(ours: Instance, url: str) -> dict[str, Any]:
    """A collection of ours fetched as Mastodon does (Accept: application/activity+json), with its first page's
    items merged in as `items`."""
    http = httpx.Client(timeout=10, headers={"Accept": "application/activity+json"})
    try:
        response = http.get(url)
        assert response.status_code == 200, f"GET {url}: {response.status_code} {response.text[:500]}"
        assert response.headers["content-type"].startswith("application/activity+json"), response.headers
        doc = response.json()
        assert doc["id"] == url, f"{url} answered the id {doc['id']}"
        first = doc.get("first")
        if isinstance(first, str):
            page = http.get(first)
            assert page.status_code == 200 and page.json()["id"] == first, page.text[:500]
            first = page.json()
        doc["items"] = list((first or {}).get("orderedItems") or (first or {}).get("items") or [])
        return doc
    finally:
        http.close()


def page(ours: Instance, path: str) -> str:
    """The HTML of one of our pages, as an anonymous reader sees it."""
    response = httpx.get(f"{ours.base_url}{path}", timeout=10)
    assert response.status_code == 200, f"GET {path}: {response.status_code}"
    return response.text


def no_problems(peer: MastodonPeer) -> None:
    """Assert that our server broke no Mastodon rule so far."""
    assert peer.state.problems == [], "Mastodon rules broken:\n" + "\n".join(str(p) for p in peer.state.problems)


class _CommentTree(HTMLParser):
    """Which comment each `<li class="comment" id="c-…">` of a page sits under (None: under the summary)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parents: dict[str, str | None] = {}
        self.open: list[str | None] = []  # one entry per open <li>: its comment id, or None for other items

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "li":
            return
        values = dict(attrs)
        is_comment = "comment" in (values.get("class") or "").split()
        comment = (values.get("id") or "").removeprefix("c-") if is_comment else None
        if comment:
            self.parents[comment] = next((c for c in reversed(self.open) if c), None)
        self.open.append(comment or None)

    def handle_endtag(self, tag: str) -> None:
        if tag == "li" and self.open:
            self.open.pop()


def comment_parents(html: str) -> dict[str, str | None]:
    """comment public id → the public id of the comment it is shown under (None at the top of the thread)."""
    parser = _CommentTree()
    parser.feed(html)
    parser.close()
    return parser.parents


def comment_html(html: str, public_id: str) -> str:
    """The markup of one comment's `<li>` (up to its first nested thread)."""
    start = html.index(f'id="c-{public_id}"')
    end = html.find('<ol class="thread">', start)
    return html[start:end if end != -1 else start + 5000]


# Step 3 and 4: a thread between mara and ada ----------------------------------------------------------------------


@dataclass
class Thread:
    """summary ← mara's direct reply ← ada's answer ← mara's nested reply, with our public ids for each comment."""

    summary: Published
    direct: dict[str, Any]
    direct_answer: httpx.Response
    direct_inbox: tuple[str, str | None]
    direct_id: str
    answer_id: str
    answer_uri: str
    answer_status: RemoteStatus
    nested: dict[str, Any]
    nested_answer: httpx.Response
    nested_inbox: tuple[str, str | None]
    nested_id: str


DIRECT_TEXT = "Lovely summary. Is the non-negativity constraint on W what makes the parts interpretable?"
ANSWER_TEXT = "Yes: with $W \\ge 0$ and $H \\ge 0$ each column of $W$ can only add, so the parts stay readable."
NESTED_TEXT = "Thanks, that is the intuition I was missing."


@pytest.fixture(scope="package")
def thread(ours: Instance, ada: OurUser, peer: MastodonPeer, followed: Followed, published: Publication) -> Thread:
    """mara replies to ada's first summary; ada answers on our site; mara replies to ada's answer."""
    summary = published.by_number(0)
    direct, direct_answer = peer.reply(summary.url, DIRECT_TEXT, [followed.account])
    direct_inbox = inbox_status(ours, f"{direct['id']}/activity")
    direct_id = ours.scalar("SELECT public_id FROM comments WHERE uri = :u", u=direct["id"])
    assert direct_id, f"mara's reply was not stored: {direct_inbox}"
    answer_id = flows.comment(ada.web, summary.public_id, ANSWER_TEXT, parent=direct_id)
    answer_uri = f"{ours.base_url}/c/{answer_id}"
    answer_status = peer.wait_for("ada's answer at the peer", lambda: peer.state.remote_statuses.get(answer_uri))
    nested, nested_answer = peer.reply(answer_uri, NESTED_TEXT, [followed.account])
    nested_inbox = inbox_status(ours, f"{nested['id']}/activity")
    nested_id = ours.scalar("SELECT public_id FROM comments WHERE uri = :u", u=nested["id"])
    assert nested_id, f"mara's nested reply was not stored: {nested_inbox}"
    return Thread(summary, direct, direct_answer, direct_inbox, direct_id, answer_id, answer_uri, answer_status,
                  nested, nested_answer, nested_inbox, nested_id)

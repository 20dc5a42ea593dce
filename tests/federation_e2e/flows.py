"""What users do on the two instances, through the web forms, and how the tests wait for its effects."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar

import httpx

from tests.federation_e2e.conftest import Instance
from tests.system import harness

T = TypeVar("T")

TITLES = {
    "1512.03385": "Deep Residual Learning for Image Recognition",
    "1707.06684": "ShortScience.org - Reproducing Intuition",
    "1608.08967": "Robustness of classifiers: from adversarial to random noise",
    "hep-th/9711200": "The Large N Limit of Superconformal Field Theories and Supergravity",
}
_LOOKUP = re.compile(r"^/papers/lookups/[A-Za-z0-9_-]+$")
_PAPER = re.compile(r"^/p/([A-Za-z0-9_-]+)$")
_SUMMARY = re.compile(r"^/s/([A-Za-z0-9_-]+)$")
_COMMENT = re.compile(r"^/s/[A-Za-z0-9_-]+#c-([A-Za-z0-9_-]+)$")
_SCORE = re.compile(r'<span class="score"[^>]*>(-?\d+)</span>')


def wait(what: str, probe: Callable[[], T | None], *instances: Instance, deadline: float = harness.DEADLINE,
         interval: float = 0.1) -> T:
    """harness.wait_for that also fails at once (with the logs) when a process of these instances died."""

    def alive() -> None:
        for instance in instances:
            instance.check_alive()

    return harness.wait_for(what, probe, deadline=deadline, interval=interval, alive=alive)


def follow(follower: Instance, web: harness.WebClient, followee: Instance, username: str) -> None:
    """The follower's logged-in user finds @username@followee from the search box and follows; wait for Accept."""
    found = web.http.get("/search", params={"q": f"@{username}@{followee.host}"})
    assert found.status_code == 302, f"the search did not find @{username}@{followee.host}:\n{found.text[:2000]}"
    actor_page = found.headers["location"]
    page = web.http.get(actor_page)
    assert page.status_code == 200 and username in page.text, page.text[:2000]
    followed = web.http.post(actor_page + "/follow", data={"csrf_token": harness.CSRF.search(page.text).group(1)})
    assert followed.status_code == 302, followed.text[:2000]
    follow_state = ("SELECT f.state FROM follows f JOIN actors x ON x.id = f.followee_id "
                    "WHERE x.username = :u AND x.domain = :d")
    wait(f"{follower.name} to see its follow of @{username}@{followee.host} accepted",
         lambda: follower.scalar(follow_state, u=username, d=followee.host) == "accepted", follower, followee)


def add_paper(instance: Instance, web: harness.WebClient, identifier: str) -> str:
    """Add a paper through the web form; wait for the metadata look-up (the worker, the recorded server);
    return the paper's public id."""
    response = web.submit("/papers/add", {"identifier": identifier})
    assert response.status_code == 302, f"{response.status_code}\n{response.text[:3000]}"
    location = httpx.URL(response.headers["location"]).path
    if _PAPER.match(location):  # the paper was already known
        return _PAPER.match(location).group(1)
    assert _LOOKUP.match(location), f"expected a redirect to a pending look-up, got {location}"

    def looked_up() -> str | None:
        page = web.http.get(location)
        if page.status_code == 302:
            return httpx.URL(page.headers["location"]).path
        assert page.status_code == 200 and 'data-status="failed"' not in page.text, page.text[:3000]
        return None

    paper_path = wait(f"{instance.name} to look up {identifier}", looked_up, instance, interval=0.2)
    match = _PAPER.match(paper_path)
    assert match, paper_path
    return match.group(1)


def write_summary(web: harness.WebClient, paper_id: str, source: str) -> str:
    """Publish a public summary of a paper through the form; return the summary's public id."""
    page = f"/p/{paper_id}/summarize"
    response = web.submit(page, {"source": source})
    assert response.status_code == 302, f"the summary was not saved: {response.status_code}\n{response.text[:3000]}"
    match = _SUMMARY.match(httpx.URL(response.headers["location"]).path)
    assert match, response.headers["location"]
    return match.group(1)


def edit_summary(web: harness.WebClient, summary_id: str, source: str) -> None:
    """Change a summary's text through its edit form."""
    response = web.submit(f"/s/{summary_id}/edit", {"source": source})
    assert response.status_code == 302, f"the edit was not saved: {response.status_code}\n{response.text[:3000]}"


def edit_summary_visibility(web: harness.WebClient, summary_id: str, source: str, *, private: bool) -> None:
    """Make a published summary private or public again through its edit form (an unchecked box is not sent)."""
    response = web.submit(f"/s/{summary_id}/edit", {"source": source, **({"private": "y"} if private else {})})
    assert response.status_code == 302, f"the edit was not saved: {response.status_code}\n{response.text[:3000]}"


def delete_summary(web: harness.WebClient, summary_id: str) -> None:
    """Delete a summary with its Delete button."""
    response = web.submit(f"/s/{summary_id}", {}, action=f"/s/{summary_id}/delete")
    assert response.status_code == 302, f"the summary was not deleted: {response.status_code}\n{response.text[:3000]}"


def comment(web: harness.WebClient, summary_id: str, source: str, parent: str | None = None) -> str:
    """Comment on a summary (or reply to one of its comments) through the form; return the comment's public id."""
    data = {"source": source, **({"parent": parent} if parent else {})}
    response = web.submit(f"/s/{summary_id}", data, action=f"/s/{summary_id}/comments")
    assert response.status_code == 302, f"the comment was not saved: {response.status_code}\n{response.text[:3000]}"
    location = httpx.URL(response.headers["location"])
    match = _COMMENT.match(f"{location.path}#{location.fragment}")
    assert match, str(location)
    return match.group(1)


def vote(web: harness.WebClient, summary_id: str, value: str) -> None:
    """Press the ▲ ("1") or ▼ ("-1") button of a summary."""
    response = web.submit(f"/s/{summary_id}", {"value": value}, action=f"/s/{summary_id}/vote")
    assert response.status_code == 302, f"the vote was refused: {response.status_code}\n{response.text[:3000]}"


def shown_score(page: str) -> int | None:
    """The score shown on a summary page."""
    match = _SCORE.search(page)
    return int(match.group(1)) if match else None


def remote_summary(instance: Instance, uri: str) -> tuple[str, int, str, str] | None:
    """The copy of a remote summary an instance holds: (public id, paper id, source, html), or None."""
    rows = instance.query("SELECT public_id, paper_id, source, html FROM summaries WHERE uri = :uri", uri=uri)
    assert len(rows) <= 1, f"{instance.name} holds {len(rows)} copies of {uri}"
    return tuple(rows[0]) if rows else None  # type: ignore[return-value]

"""Every example object of fediverse-pasture-inputs, sent as a reply to one of our summaries: accepted and stored
with safe HTML, or ignored / rejected, or refused with a 4xx; never a 5xx, never a handler error.

The examples are partial Notes, merged over a base reply as the pasture does (`{**base, **example}`: an example's
keys win, null included). Their placeholders for the pasture's own actor and notes are mapped to ours. The
examples come from a virtualenv of their own (tests/pasture/inputs.py explains why); one app on PostgreSQL
serves the whole module (tests/federation_inbox/hostile_site.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from fediscience.activitypub import AS_CONTEXT, PUBLIC
from fediscience.activitypub.keys import KeyPair
from fediscience.text import plain_text, sanitize_remote_html
from tests.federation_inbox.conftest import RemoteServer, activity, deliver, process
from tests.federation_inbox.hostile_site import FINAL_STATUSES, Site, comment_html, hostile_site, inbox_item
from tests.federation_inbox.html_safety import executable_markup
from tests.pasture.inputs import VERSION, PastureExample, load_examples

EXAMPLES = load_examples()
# The pasture's default @context for a Create whose Note brings none (fediverse_pasture.runner.ActivitySender).
PASTURE_CONTEXT = [AS_CONTEXT, {"Hashtag": "as:Hashtag", "sensitive": "as:sensitive"}]


@pytest.fixture(scope="module")
def site(postgres_url: str, tmp_path_factory: pytest.TempPathFactory, remote_server: RemoteServer,
         key_pairs: list[KeyPair]) -> Iterator[Site]:
    """The module's app."""
    with hostile_site(postgres_url, tmp_path_factory.mktemp("pasture"), remote_server, key_pairs) as built:
        yield built


def pasture_note(site: Site, example: PastureExample) -> dict[str, Any]:
    """The example over a public reply by the sender to our summary, with the pasture's placeholders mapped."""
    base = {
        "id": f"{site.sender.uri}/pasture/{example.input}/{example.index}", "type": "Note",
        "attributedTo": site.sender.uri, "inReplyTo": site.summary_url, "to": [PUBLIC],
        "cc": [f"{site.sender.uri}/followers"], "published": "2025-06-02T08:00:00Z",
    }
    return base | _localised(site, example.example)


def _localised(site: Site, example: dict[str, Any]) -> dict[str, Any]:
    text = json.dumps(example)
    for placeholder, ours in (
        ("http://pasture-one-actor/assets/note1.jsonap", site.summary_url),
        ("http://pasture-one-actor/assets/note2.jsonap", site.comment_url),
        ("http://pasture-one-actor/actor", site.sender.uri),
        ("http://pasture-one-actor/second", site.other.uri),
        ("http://pasture-one-actor/", f"{site.remote_server.base}/pasture/"),  # anything else: a 404 on loopback
    ):
        text = text.replace(placeholder, ours)
    return json.loads(text)


def is_plain_reply(site: Site, note: dict[str, Any]) -> bool:
    """A public Note by the sender answering our summary, with visible text: nothing excuses not storing it."""
    content = note.get("content")
    return (
        note.get("type") == "Note" and isinstance(note.get("id"), str) and note.get("attributedTo") == site.sender.uri
        and note.get("inReplyTo") == site.summary_url and PUBLIC in (note.get("to") or [])
        and isinstance(content, str) and bool(plain_text(sanitize_remote_html(content)).strip())
    )


def test_the_pinned_version_brings_all_its_examples() -> None:
    assert VERSION == "0.3.0"
    assert len(EXAMPLES) == 262
    assert len({example.input for example in EXAMPLES}) == 22


@pytest.mark.parametrize("example", EXAMPLES, ids=[example.test_id for example in EXAMPLES])
def test_a_pasture_example_is_stored_safely_or_refused(site: Site, example: PastureExample) -> None:
    note = pasture_note(site, example)
    context = note["@context"] if "@context" in note else PASTURE_CONTEXT
    create = activity(site.sender, "Create", note, suffix=f"pasture-{example.test_id}", **{"@context": context})

    response = deliver(site.client, site.sender, create)
    process(site.app)

    status = response.status_code
    assert status == 202 or 400 <= status < 500, f"{status}: {response.get_data(as_text=True)[:500]}"
    item = inbox_item(site.app, create["id"])
    if status != 202:
        assert item is None and comment_html(site.app, note.get("id")) is None  # refused: nothing kept
        return
    assert item is not None and item.status in FINAL_STATUSES, f"{item and item.status}: {item and item.error}"
    stored = comment_html(site.app, note.get("id"))
    if stored is not None:
        assert item.status == "done"
        assert executable_markup(stored) == [], stored
    if is_plain_reply(site, note):
        assert (item.status, stored is not None) == ("done", True), item.error

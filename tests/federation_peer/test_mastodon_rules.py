"""The peer itself: that it enforces Mastodon's rules (so that the scenario's "no problems" means something), and
that its sanitiser model behaves as Mastodon's code does. Two peers talk to each other here; no FediScience."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.federation_peer import mastodon_shapes as shapes
from tests.federation_peer.mastodon_client import valid_activitypub_content_type
from tests.federation_peer.mastodon_peer import MastodonPeer
from tests.federation_peer.mastodon_sanitizer import sanitize, visible_text
from tests.federation_peer.mastodon_signatures import (
    HttpRequest,
    SignatureError,
    check_request,
    parse_http_date,
    sign_request,
    verify,
)

KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
URL = "http://127.0.0.1:9/users/x/inbox"


# Signatures -----------------------------------------------------------------------------------------------------


def _signed_post(body: bytes = b'{"a":1}', **options: object) -> HttpRequest:
    headers = sign_request("POST", URL, key_id="http://127.0.0.1:9/users/y#main-key", private_key=KEY,
                           headers={"Content-Type": "application/activity+json"}, body=body, **options)
    return HttpRequest("POST", "/users/x/inbox", headers, body)


def test_a_mastodon_signed_post_verifies() -> None:
    request = _signed_post()
    params = check_request(request)
    assert params.signed_headers == ["(request-target)", "host", "date", "digest", "content-type"]
    assert verify(request, params, KEY.public_key())


def test_a_changed_body_fails_the_digest_with_mastodons_message() -> None:
    request = _signed_post()
    tampered = HttpRequest(request.method, request.target, request.headers, b'{"a":2}')
    with pytest.raises(SignatureError, match="Invalid Digest value. Computed SHA-256 digest"):
        check_request(tampered)


def test_a_post_without_a_signed_digest_is_refused() -> None:
    request = _signed_post(order=("(request-target)", "host", "date"))
    with pytest.raises(SignatureError, match="Digest header to be signed when doing a POST"):
        check_request(request)


def test_a_get_without_a_signed_host_is_refused() -> None:
    headers = sign_request("GET", URL, key_id="k", private_key=KEY, headers={"Accept": "application/activity+json"},
                           order=("(request-target)", "date", "accept"))
    with pytest.raises(SignatureError, match="Host header to be signed when doing a GET"):
        check_request(HttpRequest("GET", "/users/x/inbox", headers))


@pytest.mark.parametrize(("age", "accepted"), [(timedelta(minutes=64), True), (timedelta(minutes=66), False),
                                               (timedelta(minutes=-59), True), (timedelta(minutes=-61), False)])
def test_the_date_window_is_65_minutes_back_and_60_ahead(age: timedelta, accepted: bool) -> None:
    request = _signed_post(now=datetime.now(timezone.utc) - age)
    if accepted:
        assert verify(request, check_request(request), KEY.public_key())
    else:
        with pytest.raises(SignatureError, match="outside acceptable time window"):
            check_request(request)


def test_a_date_that_is_not_an_http_date_is_refused() -> None:
    with pytest.raises(SignatureError, match="Invalid Date header"):
        parse_http_date("20 Dec 2022 06:34:23 UTC")  # mastodon#22536
    assert parse_http_date("Tue, 15 Nov 1994 08:12:31 GMT") == datetime(1994, 11, 15, 8, 12, 31, tzinfo=timezone.utc)


def test_a_signature_over_the_path_without_its_query_still_verifies() -> None:
    headers = sign_request("GET", "http://127.0.0.1:9/c?page=1".replace("?page=1", ""), key_id="k", private_key=KEY,
                           headers={"Accept": "application/activity+json"})
    request = HttpRequest("GET", "/c?page=1", headers)
    assert verify(request, check_request(request), KEY.public_key()), "Mastodon 4.2.4+ tries both forms"


def test_content_types_mastodon_accepts() -> None:
    assert valid_activitypub_content_type("application/activity+json; charset=utf-8")
    assert valid_activitypub_content_type('application/ld+json; profile="https://www.w3.org/ns/activitystreams"')
    assert not valid_activitypub_content_type("application/ld+json")
    assert not valid_activitypub_content_type("application/json")


# The sanitiser model ---------------------------------------------------------------------------------------------

MATH = ('<p>Let <math display="inline"><semantics><mi>x</mi><annotation encoding="application/x-tex">x^2 &lt; 1'
        '</annotation></semantics></math>.</p><math display="block"><semantics><mi>y</mi>'
        '<annotation encoding="application/x-tex">\\sum_i y_i</annotation></semantics></math>')


def test_mastodon_44_shows_maths_as_its_tex() -> None:
    assert sanitize(MATH, "4.4") == "<p>Let $x^2 &lt; 1$.</p>$$\\sum_i y_i$$"
    assert visible_text(sanitize(MATH, "4.4")) == "Let $x^2 < 1$.\n$$\\sum_i y_i$$"


@pytest.mark.parametrize("version", ["4.2", "4.3"])
def test_mastodon_42_and_43_drop_maths_entirely(version: str) -> None:
    assert sanitize(MATH, version) == "<p>Let .</p>"


def test_maths_without_a_tex_annotation_falls_back_to_plain_text_or_disappears() -> None:
    plain = '<math><semantics><mi>x</mi><annotation encoding="text/plain">x squared</annotation></semantics></math>'
    assert sanitize(plain) == "x squared"
    assert sanitize("<p>a<math><mi>x</mi></math>b</p>") == "<p>ab</p>"


def test_headings_become_bold_paragraphs_and_unsupported_elements_unwrap() -> None:
    markup = ('<h2 id="t" class="title">Method</h2><div>one<sup>2</sup></div><table><tr><td>a</td></tr></table>'
              '<img src="https://x/y.png" alt="fig"><script>alert(1)</script><style>p{}</style>')
    assert sanitize(markup) == "<p><strong>Method</strong></p> one2 a"


def test_links_keep_allowed_schemes_only_and_get_rel_and_target() -> None:
    markup = ('<a href="https://e.org" title="t" class="mention u-url other">ok</a> <a href="javascript:x()">js</a> '
              '<a href="/relative">rel</a> <span class="h-card invisible x" translate="yes">s</span>')
    assert sanitize(markup) == ('<a href="https://e.org" class="mention u-url" rel="nofollow noopener" '
                                'target="_blank">ok</a> js rel <span class="h-card invisible">s</span>')


def test_strikethrough_s_arrived_with_43() -> None:
    assert sanitize("<s>old</s> <del>gone</del>", "4.2") == "old <del>gone</del>"
    assert sanitize("<s>old</s>", "4.4") == "<s>old</s>"


def test_lists_quotes_and_code_are_kept() -> None:
    kept = '<blockquote><p>q</p></blockquote><pre><code>c</code></pre>'
    assert sanitize('<ol start="3" type="a"><li value="3">x</li></ol>' + kept) == (
        '<ol start="3"><li value="3">x</li></ol>' + kept)


# Two peers talking: the inbox and the fetch rules, live ----------------------------------------------------------


@pytest.fixture(scope="module")
def peers() -> Iterator[tuple[MastodonPeer, MastodonPeer]]:
    first, second = MastodonPeer("ana").start(), MastodonPeer("ben").start()
    yield first, second
    first.stop()
    second.stop()


def test_a_signed_activity_from_another_mastodon_is_accepted(peers: tuple[MastodonPeer, MastodonPeer]) -> None:
    ana, ben = peers
    account = ben.client.resolve_account(f"ana@{ana.host}")
    like = shapes.like(ben.user, 1, f"{ana.user.uri}/statuses/1")
    response = ben.client.deliver(account.inbox, like, ben.user)
    assert response.status_code == 202, response.text
    received = ana.wait_for("the Like", lambda: next((r for r in ana.state.received if r.activity == like), None))
    assert received.signer == ben.user.uri
    ana.wait_for("its processing", lambda: received.outcome != "queued")
    assert received.outcome == "ignored: Like"
    assert any(s.path == "/users/ben" and s.signer == ana.instance.uri for s in ben.state.served), \
        "ana fetched ben's actor with a signed GET (secure mode)"
    assert ana.state.problems == [] and ben.state.problems == []


def test_an_unsigned_or_tampered_post_gets_401_and_is_recorded(peers: tuple[MastodonPeer, MastodonPeer]) -> None:
    ana, ben = peers
    body = json.dumps(shapes.like(ben.user, 2, f"{ana.user.uri}/statuses/1")).encode()
    unsigned = httpx.post(ana.user.inbox, content=body, headers={"Content-Type": "application/activity+json"})
    assert unsigned.status_code == 401 and unsigned.json() == {"error": "Request not signed"}
    headers = sign_request("POST", ana.user.inbox, key_id=ben.user.key_id, private_key=ben.user.key,
                           headers={"Content-Type": "application/activity+json"}, body=body)
    tampered = httpx.post(ana.user.inbox, content=body.replace(b"statuses/1", b"statuses/2"), headers=headers)
    assert tampered.status_code == 401 and "Invalid Digest value" in tampered.json()["error"]
    forged = sign_request("POST", ana.user.inbox, key_id=ben.user.key_id, private_key=KEY,
                          headers={"Content-Type": "application/activity+json"}, body=body)
    assert httpx.post(ana.user.inbox, content=body, headers=forged).status_code == 401
    rules = [p.rule for p in ana.state.problems]
    assert rules.count("inbox signature") == 3
    ana.state.problems.clear()


def test_secure_mode_needs_a_signature_except_for_the_instance_actor(peers: tuple[MastodonPeer, MastodonPeer]) -> None:
    ana, _ = peers
    assert httpx.get(ana.user.uri, headers={"Accept": "application/activity+json"}).status_code == 401
    instance = httpx.get(ana.instance.uri, headers={"Accept": "application/activity+json"})
    assert instance.status_code == 200 and instance.headers["content-type"].startswith("application/activity+json")
    ana.state.problems.clear()


def _serve(documents: dict[str, tuple[str, dict]]) -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            content_type, doc = documents[self.path]
            body = json.dumps(doc).encode()
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def test_fetches_with_a_wrong_id_or_content_type_are_refused_and_recorded(
    peers: tuple[MastodonPeer, MastodonPeer]
) -> None:
    ana, _ = peers
    documents: dict[str, tuple[str, dict]] = {}
    server, base = _serve(documents)
    try:
        documents["/wrong-id"] = ("application/activity+json", {"id": f"{base}/other", "type": "Note"})
        documents["/plain-json"] = ("application/json", {"id": f"{base}/plain-json", "type": "Note"})
        documents["/good"] = ("application/activity+json", {"id": f"{base}/good", "type": "Note"})
        assert ana.client.fetch_resource(f"{base}/wrong-id", True) is None
        assert ana.client.fetch_resource(f"{base}/plain-json", True) is None
        assert ana.client.fetch_resource(f"{base}/good", True) == documents["/good"][1]
        assert [p.rule for p in ana.state.problems] == ["id equality", "content type"]
    finally:
        server.shutdown()
        ana.state.problems.clear()

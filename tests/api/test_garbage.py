"""No 500 for anything a client can send: garbage bodies, ids and arguments to every API route."""

from __future__ import annotations

import json
import random

from tests.api.conftest import call

GARBAGE = [
    None, True, 0, -1, 1.5, 10**30, "", " ", "\u202e", "x" * 200_000, "🙂" * 1000, "<script>", "$$\\frac{",
    "' OR 1=1 --", "../../etc/passwd", [], [1, "a"], {}, {"a": {"b": []}}, "1707.06684", "nosuchid",
]
FIELDS = ["id", "source", "draft", "private", "parent", "value", "q"]


def _paths(app, ids: dict[str, str]) -> list[tuple[str, str]]:
    routes = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("api."):
            continue
        name = "comment" if rule.endpoint.endswith("comment") and "/comments/" in rule.rule else (
            "paper" if "/papers/<" in rule.rule else "summary")
        path = rule.rule.removeprefix("/api/v1")
        for argument in rule.arguments:
            path = path.replace(f"<{argument}>", ids.get(name, "x") if argument == "public_id" else "alice")
        routes += [(method, path) for method in rule.methods - {"HEAD", "OPTIONS"}]
    return routes


def test_garbage_to_every_route_never_gives_a_500(app, client, alice, bob, paper_id, summary_id):
    comment = call(client, "POST", f"/summaries/{summary_id}/comments", bob.token, {"source": "Hi"}).get_json()
    ids = {"paper": paper_id, "summary": summary_id, "comment": comment["id"]}
    rng = random.Random(20260101)
    routes = _paths(app, ids)
    assert len(routes) > 20
    for token in (alice.token, bob.token, None):
        for method, path in routes:
            for _ in range(4):
                body = {rng.choice(FIELDS): rng.choice(GARBAGE) for _ in range(rng.randint(0, 3))}
                raw = json.dumps(body) if rng.random() < 0.8 else json.dumps(rng.choice(GARBAGE))
                query = {rng.choice(FIELDS + ["share", "limit", "offset"]): str(rng.choice(GARBAGE))[:500]}
                response = call(client, method, path, token, raw=raw, query_string=query)
                assert response.status_code < 500, (method, path, raw[:200], response.get_data(as_text=True)[:300])
                assert response.status_code == 204 or response.mimetype == "application/json"

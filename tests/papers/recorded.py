"""Serve the recorded arXiv, Crossref and DBLP answers in tests/fixtures/recorded to an httpx.Client.

Routing is by path and query only, whatever the host, so the same answers serve the real default base
URLs and local ones:

* ``…/api/query?id_list=ID`` → ``arxiv/ID.xml`` (version dropped); an unknown id gets arXiv's empty feed,
  a malformed one its error feed (both HTTP 200, as arXiv sends them).
* ``…/works/DOI`` → ``crossref/<DOI lower-cased, every character but [a-z0-9.-] made "_">.json``, else 404.
* ``…/rec/KEY.xml`` → ``dblp/KEY.xml``, else 404.

Usage::

    client = httpx.Client(transport=recorded_transport())
    client = httpx.Client(transport=recorded_transport(fail={"1512.03385"}))    # ConnectError for that id
    client = httpx.Client(transport=recorded_transport(unavailable={"10.1038/44565"}))  # HTTP 503
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

import httpx

from fediscience.papers.identifiers import InvalidIdentifier, normalise_arxiv

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "recorded"
_CROSSREF = re.compile(r"/works/(?P<doi>.+)$")
_DBLP = re.compile(r"/rec/(?P<key>.+)\.xml$")
_UNSAFE = re.compile(r"[^a-z0-9.-]")


@dataclass(frozen=True)
class Answer:
    """A recorded HTTP answer, or fail=True when the connection should break instead."""

    status: int
    content_type: str
    body: bytes
    fail: bool = False


class Recorded:
    """Routes requests to recorded answers; ids in `fail` break the connection, ids in `unavailable` get 503."""

    def __init__(self, fail: Iterable[str] = (), unavailable: Iterable[str] = (), root: Path = FIXTURES) -> None:
        self.fail = {i.lower() for i in fail}
        self.unavailable = {i.lower() for i in unavailable}
        self.root = root

    def answer(self, path: str, query: dict[str, str]) -> Answer:
        """The recorded answer for a request path (percent-decoded) and its query parameters."""
        path = unquote(path)
        if path.endswith("/api/query"):
            return self._guard(query.get("id_list", ""), self._arxiv)
        if match := _CROSSREF.search(path):
            return self._guard(match["doi"], self._crossref)
        if match := _DBLP.search(path):
            return self._guard(match["key"], self._dblp)
        return Answer(404, "text/plain", b"Not found")

    def _guard(self, ident: str, route: Callable[[str], Answer]) -> Answer:
        bare = re.sub(r"v\d+$", "", ident).lower()
        if ident.lower() in self.fail or bare in self.fail:
            return Answer(0, "", b"", fail=True)
        if ident.lower() in self.unavailable or bare in self.unavailable:
            return Answer(503, "text/html", b"<html><body><h1>503 Service Unavailable</h1></body></html>")
        return route(ident)

    def _arxiv(self, ident: str) -> Answer:
        try:
            arxiv_id, _ = normalise_arxiv(ident)
        except InvalidIdentifier:
            return self._arxiv_template("_error.xml", ident)
        path = self.root / "arxiv" / f"{arxiv_id}.xml"
        if path.is_file():
            return Answer(200, "application/atom+xml; charset=utf-8", path.read_bytes())
        return self._arxiv_template("_empty.xml", ident)

    def _arxiv_template(self, name: str, ident: str) -> Answer:
        text = (self.root / "arxiv" / name).read_text(encoding="utf-8")
        safe = re.sub(r"[<>&\"']", "", ident)
        return Answer(200, "application/atom+xml; charset=utf-8", text.replace("__ID__", safe).encode())

    def _crossref(self, doi: str) -> Answer:
        path = self.root / "crossref" / f"{crossref_file_stem(doi)}.json"
        if path.is_file():
            return Answer(200, "application/json", path.read_bytes())
        return Answer(404, "text/plain", b"Resource not found.")

    def _dblp(self, key: str) -> Answer:
        path = self.root / "dblp" / f"{key}.xml"
        if ".." not in key and path.is_file():
            return Answer(200, "application/xml; charset=US-ASCII", path.read_bytes())
        return Answer(404, "text/html", b"<html><body><h1>Error 404: Not Found</h1></body></html>")


def crossref_file_stem(doi: str) -> str:
    """The fixture file name (without .json) for a DOI: 10.1109/CVPR.2016.90 → 10.1109_cvpr.2016.90."""
    return _UNSAFE.sub("_", doi.lower())


def recorded_transport(fail: Iterable[str] = (), unavailable: Iterable[str] = (),
                       log: list[httpx.Request] | None = None) -> httpx.MockTransport:
    """An httpx transport answering from the recorded fixtures; requests are appended to `log` if given."""
    recorded = Recorded(fail, unavailable)

    def handle(request: httpx.Request) -> httpx.Response:
        if log is not None:
            log.append(request)
        answer = recorded.answer(request.url.path, dict(request.url.params))
        if answer.fail:
            raise httpx.ConnectError("Connection refused (simulated)", request=request)
        return httpx.Response(answer.status, headers={"Content-Type": answer.content_type}, content=answer.body)

    return httpx.MockTransport(handle)

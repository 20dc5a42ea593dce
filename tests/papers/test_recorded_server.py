"""The recorded server answers over real HTTP on 127.0.0.1, with the same routing as the transport."""

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from fediscience.papers.identifiers import parse_identifier
from fediscience.papers.metadata import NotFound, SourceUnavailable
from fediscience.papers.sources.resolve import fetch_metadata
from tests.papers.recorded_server import recorded_urls, start_recorded_server

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    url, stop = start_recorded_server(fail={"1608.08967"}, unavailable={"conf/nips/LeeS00"})
    yield url
    stop()


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5) as client:
        yield client


def test_listens_on_loopback(base_url: str) -> None:
    assert base_url.startswith("http://127.0.0.1:")


@pytest.mark.parametrize(("text", "title"), [
    ("1707.06684", "ShortScience.org - Reproducing Intuition"),
    ("hep-th/9711200", "The Large N Limit of Superconformal Field Theories and Supergravity"),
    ("10.1109/CVPR.2016.90", "Deep Residual Learning for Image Recognition"),
    ("10.1023/A:1026654312961", "The Large N Limit of Superconformal Field Theories and Supergravity"),
    ("conf/nips/RenHGS15", "Faster R-CNN: Towards Real-Time Object Detection with Region Proposal Networks"),
    ("conf/kdd/AkibaSYOK19", "Optuna: A Next-generation Hyperparameter Optimization Framework"),
])
def test_serves_the_recordings(base_url: str, http: httpx.Client, text: str, title: str) -> None:
    assert fetch_metadata(http, parse_identifier(text), urls=recorded_urls(base_url)).title == title


def test_enrichment_works_over_http(base_url: str, http: httpx.Client) -> None:
    meta = fetch_metadata(http, parse_identifier("conf/kdd/AkibaSYOK19"), urls=recorded_urls(base_url))
    assert meta.abstract and meta.abstract.startswith("The purpose of this study")


@pytest.mark.parametrize("text", ["1712.99999", "10.1234/nothing", "conf/nips/Nobody99"])
def test_unknown_ids_are_not_found(base_url: str, http: httpx.Client, text: str) -> None:
    with pytest.raises(NotFound):
        fetch_metadata(http, parse_identifier(text), urls=recorded_urls(base_url))


def test_dropped_connection_and_503_are_unavailable(base_url: str, http: httpx.Client) -> None:
    urls = recorded_urls(base_url)
    with pytest.raises(SourceUnavailable, match="arXiv could not be reached"):
        fetch_metadata(http, parse_identifier("1608.08967"), urls=urls)
    with pytest.raises(SourceUnavailable, match=r"DBLP is unavailable right now \(HTTP 503\)"):
        fetch_metadata(http, parse_identifier("conf/nips/LeeS00"), urls=urls)


def test_raw_routes(base_url: str, http: httpx.Client) -> None:
    feed = http.get(f"{base_url}/arxiv/api/query", params={"id_list": "1512.03385v1"})
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("application/atom+xml")
    assert b"<id>http://arxiv.org/abs/1512.03385v1</id>" in feed.content
    error = http.get(f"{base_url}/arxiv/api/query", params={"id_list": "nonsense"})
    assert b"incorrect_id_format_for_nonsense" in error.content
    assert http.get(f"{base_url}/crossref/works/10.1038/44565").json()["message"]["DOI"] == "10.1038/44565"
    assert http.get(f"{base_url}/crossref/works/10.1038%2F44565").status_code == 200
    assert http.get(f"{base_url}/dblp/rec/conf/nips/LeeS00.xml").status_code == 503
    assert http.get(f"{base_url}/dblp/rec/conf/nips/RenHGS15.xml").content.startswith(b"<?xml")
    assert http.get(f"{base_url}/dblp/rec/../../../etc/passwd.xml").status_code == 404
    assert http.get(f"{base_url}/elsewhere").status_code == 404


def test_stop_frees_the_port() -> None:
    url, stop = start_recorded_server()
    stop()
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{url}/arxiv/api/query?id_list=1707.06684", timeout=2)


def test_runs_as_its_own_process() -> None:
    process = subprocess.Popen([sys.executable, "-m", "tests.papers.recorded_server"], cwd=ROOT,
                               stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        answer = httpx.get(f"{url}/dblp/rec/conf/nips/LeeS00.xml", timeout=5)
        assert answer.status_code == 200 and b"Algorithms for Non-negative Matrix Factorization" in answer.content
    finally:
        process.terminate()
        process.wait(timeout=5)

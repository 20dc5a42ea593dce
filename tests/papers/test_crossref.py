"""Reading Crossref's REST API from recorded answers."""

import datetime

import httpx
import pytest

from fediscience.papers.metadata import NotFound, SourceUnavailable
from fediscience.papers.sources.crossref import fetch_crossref, parse_crossref_work
from tests.papers.recorded import recorded_transport


def test_reads_a_proceedings_paper(client: httpx.Client, requests_seen: list[httpx.Request]) -> None:
    meta = fetch_crossref(client, "10.1109/CVPR.2016.90")
    assert meta.title == "Deep Residual Learning for Image Recognition"
    assert meta.authors == ["Kaiming He", "Xiangyu Zhang", "Shaoqing Ren", "Jian Sun"]
    assert meta.venue == "2016 IEEE Conference on Computer Vision and Pattern Recognition (CVPR)"
    assert meta.year == 2016
    assert meta.published is None  # Crossref only knows June 2016: no day, so no date
    assert meta.doi == "10.1109/cvpr.2016.90"
    assert meta.source == "crossref"
    assert meta.landing_url == "https://doi.org/10.1109/cvpr.2016.90"
    assert meta.pdf_url is None  # the IEEE link is for similarity checking, not a PDF
    assert requests_seen[0].url.host == "api.crossref.org"
    assert requests_seen[0].url.path == "/works/10.1109/cvpr.2016.90"


def test_jats_abstract_subtitle_subjects_and_pdf(client: httpx.Client) -> None:
    meta = fetch_crossref(client, "10.1145/3292500.3330701")
    assert meta.title == "Optuna: A Next-generation Hyperparameter Optimization Framework"
    assert meta.abstract is not None
    assert meta.abstract.startswith("The purpose of this study is to introduce new design-criteria")
    assert "<" not in meta.abstract and "Abstract" not in meta.abstract[:20]
    assert meta.keywords == ["Computer Science Applications", "Information Systems"]
    assert meta.venue == "Proceedings of the 25th ACM SIGKDD International Conference on Knowledge Discovery & Data Mining"
    assert meta.published == datetime.date(2019, 7, 25)
    assert meta.pdf_url == "https://dl.acm.org/doi/pdf/10.1145/3292500.3330701"
    assert meta.authors[0] == "Takuya Akiba" and len(meta.authors) == 5


def test_journal_article(client: httpx.Client) -> None:
    meta = fetch_crossref(client, "10.1038/44565")
    assert meta.venue == "Nature"
    assert meta.year == 1999
    assert meta.authors == ["Daniel D. Lee", "H. Sebastian Seung"]


def test_polite_user_agent_with_mailto(client: httpx.Client, requests_seen: list[httpx.Request]) -> None:
    fetch_crossref(client, "10.1038/44565", mailto="admin@science.example")
    agent = requests_seen[0].headers["User-Agent"]
    assert agent.startswith("FediScience/") and "mailto:admin@science.example" in agent


def test_base_url_is_used(client: httpx.Client, requests_seen: list[httpx.Request]) -> None:
    fetch_crossref(client, "10.1038/44565", base_url="http://127.0.0.1:9/crossref/")
    assert str(requests_seen[0].url) == "http://127.0.0.1:9/crossref/works/10.1038/44565"


def test_unknown_doi_is_not_found(client: httpx.Client) -> None:
    with pytest.raises(NotFound, match=r"^Crossref has no record of DOI 10\.1234/nothing\.$"):
        fetch_crossref(client, "10.1234/NOTHING")


def test_network_error_and_5xx_are_unavailable() -> None:
    with httpx.Client(transport=recorded_transport(fail={"10.1038/44565"}, unavailable={"10.1109/cvpr.2016.90"})) as c:
        with pytest.raises(SourceUnavailable, match="Crossref could not be reached"):
            fetch_crossref(c, "10.1038/44565")
        with pytest.raises(SourceUnavailable, match="Crossref is unavailable right now"):
            fetch_crossref(c, "10.1109/CVPR.2016.90")


def test_not_json_is_unavailable() -> None:
    with httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(200, text="<html>oops"))) as c:
        with pytest.raises(SourceUnavailable, match=r"Crossref sent an answer we could not read \(not JSON\)"):
            fetch_crossref(c, "10.1038/44565")


@pytest.mark.parametrize("document", [[], {"status": "ok"}, {"message": "x"}, {"message": {"title": []}},
                                      {"message": {"title": [None]}}])
def test_unexpected_shapes_are_unavailable(document: object) -> None:
    with pytest.raises(SourceUnavailable, match="Crossref sent an answer we could not read"):
        parse_crossref_work(document, "10.1/x")


def test_odd_but_valid_fields_are_tolerated() -> None:
    meta = parse_crossref_work({"message": {
        "title": ["H<sub>2</sub>O &amp; <i>friends</i>"],
        "author": [{"name": "The ATLAS Collaboration"}, {"family": "Plato"}, "junk"],
        "issued": {"date-parts": [[None]]},
        "published-online": {"date-parts": [[2020, 2, 30]]},
        "event": {"name": "Workshop on Water"},
    }}, "10.1/x")
    assert meta.title == "H2O & friends"
    assert meta.authors == ["The ATLAS Collaboration", "Plato"]
    assert meta.year is None and meta.published is None
    assert meta.venue == "Workshop on Water"

"""Reading DBLP records from recorded answers."""

import httpx
import pytest

from fediscience.papers.metadata import NotFound, SourceUnavailable
from fediscience.papers.sources.dblp import fetch_dblp, parse_dblp_record
from tests.papers.recorded import recorded_transport


def test_reads_a_conference_paper(client: httpx.Client, requests_seen: list[httpx.Request]) -> None:
    meta = fetch_dblp(client, "conf/nips/RenHGS15")
    assert meta.title == "Faster R-CNN: Towards Real-Time Object Detection with Region Proposal Networks"
    assert meta.authors == ["Shaoqing Ren", "Kaiming He", "Ross B. Girshick", "Jian Sun"]
    assert meta.venue == "NIPS"
    assert meta.year == 2015
    assert meta.dblp_key == "conf/nips/RenHGS15"
    assert meta.source == "dblp"
    assert meta.doi is None and meta.arxiv_id is None
    assert meta.landing_url and meta.landing_url.startswith("https://proceedings.neurips.cc/")
    assert str(requests_seen[0].url) == "https://dblp.org/rec/conf/nips/RenHGS15.xml"


def test_reads_lee_and_seung(client: httpx.Client) -> None:
    meta = fetch_dblp(client, "DBLP:conf/nips/LeeS00")
    assert meta.title == "Algorithms for Non-negative Matrix Factorization"
    assert meta.authors == ["Daniel D. Lee", "H. Sebastian Seung"]
    assert meta.year == 2000


def test_doi_link_sets_doi(client: httpx.Client) -> None:
    assert fetch_dblp(client, "conf/cvpr/HeZRS16").doi == "10.1109/cvpr.2016.90"


def test_arxiv_link_sets_arxiv_id(client: httpx.Client) -> None:
    meta = fetch_dblp(client, "journals/corr/HeZRS15")
    assert meta.arxiv_id == "1512.03385"
    assert meta.venue == "CoRR"
    assert meta.pdf_url == "https://arxiv.org/pdf/1512.03385"


def test_base_url_is_used(client: httpx.Client, requests_seen: list[httpx.Request]) -> None:
    fetch_dblp(client, "conf/nips/LeeS00", base_url="http://127.0.0.1:9/dblp")
    assert str(requests_seen[0].url) == "http://127.0.0.1:9/dblp/rec/conf/nips/LeeS00.xml"


def test_unknown_key_is_not_found(client: httpx.Client) -> None:
    with pytest.raises(NotFound, match=r"^DBLP has no record conf/nips/Nobody99\.$"):
        fetch_dblp(client, "conf/nips/Nobody99")


def test_malformed_key_is_not_found(client: httpx.Client) -> None:
    with pytest.raises(NotFound, match="not a valid DBLP key"):
        fetch_dblp(client, "nips")


def test_title_markup_and_question_marks_are_kept() -> None:
    meta = parse_dblp_record(b"""<?xml version="1.0" encoding="US-ASCII"?><dblp>
      <article key="journals/x/Y20" mdate="2020-01-01"><author>J&#246;rg M&#252;ller 0002</author>
      <title>Is <i>H</i><sub>2</sub>O wet?</title><journal>J. Water</journal><year>2020</year></article></dblp>""",
                             "journals/x/Y20")
    assert meta.title == "Is H2O wet?"
    assert meta.authors == ["J\u00f6rg M\u00fcller"]
    assert meta.venue == "J. Water"


@pytest.mark.parametrize("body", [
    b"<html><body>Service Unavailable</body></html>",
    b"<dblp></dblp>",
    b"<dblp><inproceedings key='a/b/c'><author>X</author>",
    b"not xml at all",
    b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa">]><dblp><article key="a/b/c"><title>&a;</title></article></dblp>',
    b"<dblp><article key='a/b/c'><title></title></article></dblp>",
])
def test_garbled_answer_is_unavailable(body: bytes) -> None:
    with pytest.raises(SourceUnavailable, match="DBLP sent an answer we could not read"):
        parse_dblp_record(body, "a/b/c")


def test_network_error_is_unavailable() -> None:
    with httpx.Client(transport=recorded_transport(fail={"conf/nips/LeeS00"})) as failing:
        with pytest.raises(SourceUnavailable, match="DBLP could not be reached"):
            fetch_dblp(failing, "conf/nips/LeeS00")


def test_redirect_to_renamed_key_is_followed() -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/rec/conf/nips/Old15.xml":
            return httpx.Response(301, headers={"Location": "https://dblp.org/rec/conf/nips/LeeS00.xml"})
        return recorded_transport().handle_request(request)

    with httpx.Client(transport=httpx.MockTransport(handle)) as redirecting:
        assert fetch_dblp(redirecting, "conf/nips/Old15").dblp_key == "conf/nips/LeeS00"

"""Reading arXiv's Atom API from recorded answers."""

import datetime

import httpx
import pytest

from fediscience.papers.metadata import MetadataError, NotFound, SourceUnavailable
from fediscience.papers.sources.arxiv import fetch_arxiv, parse_arxiv_feed
from tests.papers.recorded import FIXTURES, recorded_transport


def test_reads_a_paper(client: httpx.Client, requests_seen: list[httpx.Request]) -> None:
    meta = fetch_arxiv(client, "1707.06684")
    assert meta.title == "ShortScience.org - Reproducing Intuition"
    assert meta.authors == ["Joseph Paul Cohen", "Henry Z. Lo"]
    assert meta.source == "arxiv"
    assert meta.arxiv_id == "1707.06684"
    assert meta.arxiv_version == "v1"
    assert meta.published == datetime.date(2017, 7, 20)
    assert meta.year == 2017
    assert meta.venue == "arXiv"
    assert meta.doi is None
    assert meta.landing_url == "https://arxiv.org/abs/1707.06684"
    assert meta.pdf_url == "https://arxiv.org/pdf/1707.06684v1"
    assert meta.keywords[0] == "cs.DL"
    request = requests_seen[0]
    assert request.url.host == "export.arxiv.org"
    assert request.url.params["id_list"] == "1707.06684"


def test_abstract_loses_arxiv_hard_line_breaks(client: httpx.Client) -> None:
    abstract = fetch_arxiv(client, "1512.03385").abstract or ""
    assert "\n" not in abstract and "  " not in abstract
    assert abstract.startswith("Deeper neural networks are more difficult to train. We present a residual learning")
    assert "ILSVRC & COCO 2015" in abstract  # entities decoded


def test_categories_become_keywords_primary_first(client: httpx.Client) -> None:
    meta = fetch_arxiv(client, "1608.08967")
    assert meta.keywords == ["cs.LG", "cs.CV", "stat.ML"]
    assert meta.authors == ["Alhussein Fawzi", "Seyed-Mohsen Moosavi-Dezfooli", "Pascal Frossard"]
    assert meta.venue == "Advances in Neural Information Processing Systems 29 (NIPS 2016)"


def test_old_style_id_with_doi_and_journal_ref(client: httpx.Client) -> None:
    meta = fetch_arxiv(client, "hep-th/9711200")
    assert meta.arxiv_id == "hep-th/9711200"
    assert meta.arxiv_version == "v3"
    assert meta.doi == "10.1023/a:1026654312961"
    assert meta.venue.startswith("Adv.Theor.Math.Phys.2:231-252,1998")
    assert meta.published == datetime.date(1997, 11, 27)
    assert meta.pdf_url == "https://arxiv.org/pdf/hep-th/9711200v3"


def test_a_versioned_id_asks_for_that_version(client: httpx.Client, requests_seen: list[httpx.Request]) -> None:
    assert fetch_arxiv(client, "arXiv:1512.03385v1").arxiv_id == "1512.03385"
    assert requests_seen[0].url.params["id_list"] == "1512.03385v1"


def test_base_url_is_used(client: httpx.Client, requests_seen: list[httpx.Request]) -> None:
    fetch_arxiv(client, "1707.06684", base_url="http://127.0.0.1:9/arxiv/api/query")
    assert str(requests_seen[0].url).startswith("http://127.0.0.1:9/arxiv/api/query?")


def test_unknown_id_is_not_found(client: httpx.Client) -> None:
    with pytest.raises(NotFound, match=r"^arXiv has no paper 1712\.99999\.$"):
        fetch_arxiv(client, "1712.99999")


def test_error_entry_is_not_found() -> None:
    feed = (FIXTURES / "arxiv" / "_error.xml").read_text().replace("__ID__", "1707.0668").encode()
    with pytest.raises(NotFound, match=r"arXiv has no paper 1707\.0668 \(incorrect id format for 1707\.0668\)"):
        parse_arxiv_feed(feed, "1707.0668")


def test_malformed_id_is_not_found_without_a_request(client: httpx.Client,
                                                     requests_seen: list[httpx.Request]) -> None:
    with pytest.raises(NotFound, match="arXiv has no paper garbage"):
        fetch_arxiv(client, "garbage")
    assert requests_seen == []


def test_empty_entry_is_not_found() -> None:
    feed = b"""<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom">
      <entry><id>http://arxiv.org/abs/1712.99999</id><title></title><summary></summary></entry></feed>"""
    with pytest.raises(NotFound, match="arXiv has no paper 1712.99999"):
        parse_arxiv_feed(feed, "1712.99999")


@pytest.mark.parametrize("body", [
    b"<html><body><h1>Service temporarily unavailable</h1></body></html>",
    b"",
    b"{\"json\": true}",
    (FIXTURES / "arxiv" / "1512.03385.xml").read_bytes()[:900],
])
def test_garbled_answer_is_unavailable(body: bytes) -> None:
    with pytest.raises(SourceUnavailable, match="arXiv sent an answer we could not read"):
        parse_arxiv_feed(body, "1512.03385")


def test_another_paper_in_the_answer_is_unavailable() -> None:
    feed = (FIXTURES / "arxiv" / "1512.03385.xml").read_bytes()
    with pytest.raises(SourceUnavailable, match="paper 1512.03385 instead of 1707.06684"):
        parse_arxiv_feed(feed, "1707.06684")


def test_network_error_is_unavailable() -> None:
    with httpx.Client(transport=recorded_transport(fail={"1512.03385"})) as failing:
        with pytest.raises(SourceUnavailable, match="arXiv could not be reached"):
            fetch_arxiv(failing, "1512.03385")


def test_server_error_is_unavailable() -> None:
    with httpx.Client(transport=recorded_transport(unavailable={"1512.03385"})) as failing:
        with pytest.raises(SourceUnavailable, match=r"arXiv is unavailable right now \(HTTP 503\)"):
            fetch_arxiv(failing, "1512.03385")


def test_timeout_is_unavailable() -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    with httpx.Client(transport=httpx.MockTransport(slow)) as timing_out:
        with pytest.raises(SourceUnavailable, match="arXiv did not answer in time"):
            fetch_arxiv(timing_out, "1512.03385")


def test_unexpected_status_is_unavailable() -> None:
    with httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(403, text="no"))) as refusing:
        with pytest.raises(MetadataError, match=r"HTTP 403"):
            fetch_arxiv(refusing, "1512.03385")

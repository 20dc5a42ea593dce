"""Dispatching an identifier to the right service, and enriching DBLP records."""

import httpx
import pytest

from fediscience.papers.identifiers import parse_identifier
from fediscience.papers.metadata import NotFound, SourceUnavailable
from fediscience.papers.sources.resolve import SourceUrls, fetch_metadata
from tests.papers.recorded import recorded_transport


def _hosts(requests: list[httpx.Request]) -> list[str]:
    return [r.url.host for r in requests]


def test_arxiv_goes_to_arxiv_and_keeps_its_doi(client: httpx.Client, requests_seen: list[httpx.Request]) -> None:
    meta = fetch_metadata(client, parse_identifier("https://arxiv.org/abs/hep-th/9711200v1"))
    assert meta.source == "arxiv" and meta.doi == "10.1023/a:1026654312961"
    assert _hosts(requests_seen) == ["export.arxiv.org"]
    assert requests_seen[0].url.params["id_list"] == "hep-th/9711200"  # the latest version's metadata


def test_doi_goes_to_crossref(client: httpx.Client, requests_seen: list[httpx.Request]) -> None:
    meta = fetch_metadata(client, parse_identifier("doi:10.1109/CVPR.2016.90"), mailto="ops@example.org")
    assert meta.source == "crossref"
    assert _hosts(requests_seen) == ["api.crossref.org"]
    assert "mailto:ops@example.org" in requests_seen[0].headers["User-Agent"]


def test_corr_key_goes_to_arxiv_keeping_the_key(client: httpx.Client, requests_seen: list[httpx.Request]) -> None:
    meta = fetch_metadata(client, parse_identifier("journals/corr/1512.03385"))
    assert meta.source == "arxiv"
    assert meta.arxiv_id == "1512.03385"
    assert meta.dblp_key == "journals/corr/1512.03385"
    assert _hosts(requests_seen) == ["export.arxiv.org"]


def test_dblp_abs_corr_key_goes_to_arxiv(client: httpx.Client) -> None:
    meta = fetch_metadata(client, parse_identifier("https://dblp.org/rec/journals/corr/abs-1707-06684.html"))
    assert meta.title == "ShortScience.org - Reproducing Intuition"
    assert meta.dblp_key == "journals/corr/abs-1707-06684"


def test_dblp_key_goes_to_dblp(client: httpx.Client, requests_seen: list[httpx.Request]) -> None:
    meta = fetch_metadata(client, parse_identifier("conf/nips/RenHGS15"))
    assert meta.source == "dblp" and meta.abstract is None
    assert _hosts(requests_seen) == ["dblp.org"]


def test_dblp_with_doi_is_enriched_from_crossref(client: httpx.Client, requests_seen: list[httpx.Request]) -> None:
    meta = fetch_metadata(client, parse_identifier("conf/kdd/AkibaSYOK19"))
    assert meta.source == "dblp"
    assert meta.title == "Optuna: A Next-generation Hyperparameter Optimization Framework"
    assert meta.venue == "KDD"
    assert meta.abstract and meta.abstract.startswith("The purpose of this study")
    assert meta.keywords == ["Computer Science Applications", "Information Systems"]
    assert _hosts(requests_seen) == ["dblp.org", "api.crossref.org"]


def test_dblp_with_arxiv_link_is_enriched_from_arxiv(client: httpx.Client) -> None:
    meta = fetch_metadata(client, parse_identifier("journals/corr/HeZRS15"))
    assert meta.source == "dblp" and meta.abstract and meta.abstract.startswith("Deeper neural networks")
    assert meta.keywords == ["cs.CV"]


def test_failed_enrichment_is_ignored(requests_seen: list[httpx.Request]) -> None:
    transport = recorded_transport(fail={"10.1145/3292500.3330701"}, log=requests_seen)
    with httpx.Client(transport=transport) as client:
        meta = fetch_metadata(client, parse_identifier("conf/kdd/AkibaSYOK19"))
    assert meta.abstract is None and meta.doi == "10.1145/3292500.3330701"
    assert len(requests_seen) == 2


def test_enrichment_without_crossref_record_is_ignored(client: httpx.Client) -> None:
    meta = fetch_metadata(client, parse_identifier("conf/cvpr/HeZRS16"))
    assert meta.abstract is None and meta.doi == "10.1109/cvpr.2016.90"


def test_urls_are_configurable(client: httpx.Client, requests_seen: list[httpx.Request]) -> None:
    urls = SourceUrls(arxiv="http://127.0.0.1:9/a/api/query", crossref="http://127.0.0.1:9/c",
                      dblp="http://127.0.0.1:9/d")
    fetch_metadata(client, parse_identifier("conf/kdd/AkibaSYOK19"), urls=urls)
    fetch_metadata(client, parse_identifier("1707.06684"), urls=urls)
    assert [r.url.path for r in requests_seen] == ["/d/rec/conf/kdd/AkibaSYOK19.xml",
                                                   "/c/works/10.1145/3292500.3330701", "/a/api/query"]


@pytest.mark.parametrize(("text", "message"), [
    ("1712.99999", "arXiv has no paper 1712.99999"),
    ("10.1234/nothing", "Crossref has no record of DOI 10.1234/nothing"),
    ("conf/nips/Nobody99", "DBLP has no record conf/nips/Nobody99"),
    ("journals/corr/abs-1712-99999", "arXiv has no paper 1712.99999"),
])
def test_not_found(client: httpx.Client, text: str, message: str) -> None:
    with pytest.raises(NotFound, match=message):
        fetch_metadata(client, parse_identifier(text))


@pytest.mark.parametrize("text", ["1707.06684", "10.1038/44565", "conf/nips/LeeS00"])
def test_network_errors_are_unavailable(text: str) -> None:
    ident = parse_identifier(text)
    with httpx.Client(transport=recorded_transport(fail={ident.value})) as client:
        with pytest.raises(SourceUnavailable):
            fetch_metadata(client, ident)


def test_unforeseen_parser_failure_is_unavailable(monkeypatch: pytest.MonkeyPatch, client: httpx.Client) -> None:
    from fediscience.papers.sources import crossref

    def boom(document: object, doi: str) -> None:
        raise KeyError("surprise")

    monkeypatch.setattr(crossref, "parse_crossref_work", boom)
    with pytest.raises(SourceUnavailable, match="Crossref sent an answer we could not read"):
        fetch_metadata(client, parse_identifier("10.1038/44565"))

"""Parsing and normalising what users type or paste as a paper identifier."""

import pytest

from fediscience.papers.identifiers import (
    Identifier,
    InvalidIdentifier,
    arxiv_id_from_dblp_key,
    normalise_arxiv,
    normalise_doi,
    parse_identifier,
)


@pytest.mark.parametrize(("text", "value", "version"), [
    ("1707.06684", "1707.06684", None),
    ("1707.06684v2", "1707.06684", "v2"),
    ("  1707.06684v12\n", "1707.06684", "v12"),
    ("0704.0001", "0704.0001", None),
    ("1412.6980", "1412.6980", None),
    ("2310.06825v1", "2310.06825", "v1"),
    ("arXiv:1707.06684", "1707.06684", None),
    ("ARXIV:1512.03385v3", "1512.03385", "v3"),
    ("hep-th/9901001v1", "hep-th/9901001", "v1"),
    ("hep-th/9711200", "hep-th/9711200", None),
    ("math.GT/0309136", "math.GT/0309136", None),
    ("math.gt/0309136", "math.GT/0309136", None),
    ("arXiv:cs/0601001", "cs/0601001", None),
    ("https://arxiv.org/abs/1707.06684v3", "1707.06684", "v3"),
    ("http://arxiv.org/abs/1707.06684", "1707.06684", None),
    ("https://arxiv.org/pdf/1707.06684v1", "1707.06684", "v1"),
    ("https://arxiv.org/pdf/1707.06684v1.pdf", "1707.06684", "v1"),
    ("https://arxiv.org/pdf/1707.06684.pdf", "1707.06684", None),
    ("https://www.arxiv.org/abs/1707.06684/", "1707.06684", None),
    ("http://export.arxiv.org/abs/1707.06684", "1707.06684", None),
    ("https://arxiv.org/abs/hep-th/9901001v2", "hep-th/9901001", "v2"),
    ("arxiv.org/abs/1512.03385", "1512.03385", None),
    ("https://arxiv.org/abs/1707.06684?context=cs#abstract", "1707.06684", None),
    ("10.48550/arXiv.1707.06684", "1707.06684", None),
    ("https://doi.org/10.48550/arXiv.1512.03385", "1512.03385", None),
])
def test_arxiv_forms(text: str, value: str, version: str | None) -> None:
    assert parse_identifier(text) == Identifier("arxiv", value, version)


@pytest.mark.parametrize(("text", "doi"), [
    ("10.1145/3292500.3330701", "10.1145/3292500.3330701"),
    ("10.1109/CVPR.2016.90", "10.1109/cvpr.2016.90"),
    ("doi:10.1109/CVPR.2016.90", "10.1109/cvpr.2016.90"),
    ("DOI: 10.1109/CVPR.2016.90".replace(" ", ""), "10.1109/cvpr.2016.90"),
    ("https://doi.org/10.1109/CVPR.2016.90", "10.1109/cvpr.2016.90"),
    ("http://dx.doi.org/10.1023/A:1026654312961", "10.1023/a:1026654312961"),
    ("doi.org/10.1038/44565", "10.1038/44565"),
    ("https://doi.org/10.1038%2F44565", "10.1038/44565"),
    ("10.1002/(SICI)1097-4571(199806)49:8<693::AID-ASI4>3.0.CO;2-0", "10.1002/(sici)1097-4571(199806)49:8<693::aid-asi4>3.0.co;2-0"),
    ("10.1145/3292500.3330701.", "10.1145/3292500.3330701"),
])
def test_doi_forms(text: str, doi: str) -> None:
    parsed = parse_identifier(text)
    assert parsed == Identifier("doi", doi)
    assert parsed.normalised == doi


@pytest.mark.parametrize(("text", "key"), [
    ("conf/nips/RenHGS15", "conf/nips/RenHGS15"),
    ("journals/corr/HeZRS15", "journals/corr/HeZRS15"),
    ("journals/corr/abs-1707-06684", "journals/corr/abs-1707-06684"),
    ("journals/corr/1512.03385", "journals/corr/1512.03385"),
    ("DBLP:conf/nips/RenHGS15", "conf/nips/RenHGS15"),
    ("dblp:conf/nips/LeeS00", "conf/nips/LeeS00"),
    ("https://dblp.org/rec/conf/nips/RenHGS15", "conf/nips/RenHGS15"),
    ("https://dblp.org/rec/conf/nips/RenHGS15.html", "conf/nips/RenHGS15"),
    ("https://dblp.org/rec/conf/nips/RenHGS15.xml", "conf/nips/RenHGS15"),
    ("https://dblp.org/rec/conf/nips/RenHGS15.bib", "conf/nips/RenHGS15"),
    ("https://dblp.org/rec/conf/nips/RenHGS15.html?view=bibtex", "conf/nips/RenHGS15"),
    ("https://dblp.uni-trier.de/rec/bibtex/conf/nips/RenHGS15", "conf/nips/RenHGS15"),
    ("dblp.org/rec/journals/corr/abs-1707-06684", "journals/corr/abs-1707-06684"),
])
def test_dblp_forms(text: str, key: str) -> None:
    assert parse_identifier(text) == Identifier("dblp", key)


@pytest.mark.parametrize(("text", "message"), [
    ("", "Please enter a paper identifier"),
    ("   ", "Please enter a paper identifier"),
    ("hello", "not a paper identifier we know"),
    ("Deep Residual Learning", "contains spaces"),
    ("10.1145", "not a valid DOI"),
    ("10.1145/", "not a valid DOI"),
    ("10.12/abc", "not a valid DOI"),
    ("doi:", "not a valid DOI"),
    ("doi:hello", "not a valid DOI"),
    ("https://doi.org/", "not a valid DOI"),
    ("arXiv:", "not a valid arXiv id"),
    ("arXiv:1234", "not a valid arXiv id"),
    ("1713.12345", "not a valid arXiv id"),
    ("1501.1234", "not a valid arXiv id"),
    ("1412.12345", "not a valid arXiv id"),
    ("0612.1234", "not a valid arXiv id"),
    ("1707.06684v", "not a paper identifier"),
    ("foo/1234567", "not a paper identifier"),
    ("hep-th/99010", "not a paper identifier"),
    ("https://example.com/paper.pdf", "Links to example.com are not recognised"),
    ("https://arxiv.org/list/cs.LG/recent", "not a link to an arXiv paper"),
    ("https://dblp.org/pid/34/7659.html", "not a link to a DBLP record"),
    ("https://dblp.org/rec/", "not a link to a DBLP record"),
    ("DBLP:nips", "not a valid DBLP key"),
    ("ftp://arxiv.org/abs/1707.06684", "not a paper identifier"),
])
def test_rejected_with_a_clear_message(text: str, message: str) -> None:
    with pytest.raises(InvalidIdentifier, match=message) as caught:
        parse_identifier(text)
    assert isinstance(caught.value, ValueError)


def test_identifier_is_frozen_and_hashable() -> None:
    first = parse_identifier("https://doi.org/10.1109/CVPR.2016.90")
    assert first == parse_identifier("doi:10.1109/cvpr.2016.90")
    assert len({first, parse_identifier("10.1109/CVPR.2016.90")}) == 1
    with pytest.raises(AttributeError):
        first.value = "x"  # type: ignore[misc]


def test_normalised_form_and_display() -> None:
    versioned = parse_identifier("arXiv:1707.06684v2")
    assert versioned.normalised == "1707.06684"
    assert str(versioned) == "arXiv:1707.06684v2"
    assert str(parse_identifier("conf/nips/RenHGS15")) == "DBLP:conf/nips/RenHGS15"
    assert str(parse_identifier("10.1038/44565")) == "doi:10.1038/44565"


def test_helpers() -> None:
    assert normalise_doi(" https://dx.doi.org/10.1109/CVPR.2016.90 ") == "10.1109/cvpr.2016.90"
    assert normalise_arxiv("arXiv:1707.06684v3") == ("1707.06684", "v3")
    assert normalise_arxiv("HEP-TH/9901001") == ("hep-th/9901001", None)
    with pytest.raises(InvalidIdentifier):
        normalise_doi("not a doi")
    with pytest.raises(InvalidIdentifier):
        normalise_arxiv("1707.0668")


@pytest.mark.parametrize(("key", "arxiv_id"), [
    ("journals/corr/1512.03385", "1512.03385"),
    ("journals/corr/abs-1707-06684", "1707.06684"),
    ("journals/corr/abs-cs-0601001", "cs/0601001"),
    ("journals/corr/abs-hep-th-9901001", "hep-th/9901001"),
    ("journals/corr/HeZRS15", None),
    ("conf/nips/RenHGS15", None),
])
def test_corr_keys_map_to_arxiv(key: str, arxiv_id: str | None) -> None:
    assert arxiv_id_from_dblp_key(key) == arxiv_id

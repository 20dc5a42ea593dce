"""Reading papers from pasted BibTeX."""

from fediscience.papers.metadata import PaperMetadata
from fediscience.papers.sources.bibtex import BibtexResult, is_complete, parse_bibtex

DBLP_STYLE = r"""
@inproceedings{DBLP:conf/nips/RenHGS15,
  author    = {Shaoqing Ren and
               Kaiming He and
               Ross B. Girshick and
               Jian Sun},
  title     = {Faster {R-CNN:} Towards Real-Time Object Detection with Region Proposal
               Networks},
  booktitle = {Advances in Neural Information Processing Systems 28: Annual Conference
               on Neural Information Processing Systems 2015},
  pages     = {91--99},
  year      = {2015},
  url       = {https://proceedings.neurips.cc/paper/2015/hash/14bfa6bb14875e45bba028a21ed38046-Abstract.html},
  biburl    = {https://dblp.org/rec/conf/nips/RenHGS15.bib},
}
"""

SCHOLAR_STYLE = r"""
@article{he2015deep,
  title={Deep residual learning for image recognition},
  author={He, Kaiming and Zhang, Xiangyu and Ren, Shaoqing and Sun, Jian},
  journal={arXiv preprint arXiv:1512.03385},
  year={2015},
  eprint={1512.03385v1},
  archivePrefix={arXiv},
  primaryClass={cs.CV},
  keywords={deep learning; residual networks, ImageNet},
  abstract={Deeper neural networks are
            more difficult to train.}
}
"""


def _only(text: str) -> PaperMetadata:
    results = parse_bibtex(text)
    assert len(results) == 1 and results[0].ok, results
    assert results[0].metadata is not None
    return results[0].metadata


def test_dblp_export() -> None:
    result = parse_bibtex(DBLP_STYLE)[0]
    assert result.key == "DBLP:conf/nips/RenHGS15"
    meta = result.metadata
    assert meta is not None
    assert meta.title == "Faster R-CNN: Towards Real-Time Object Detection with Region Proposal Networks"
    assert meta.authors == ["Shaoqing Ren", "Kaiming He", "Ross B. Girshick", "Jian Sun"]
    assert meta.venue and meta.venue.startswith("Advances in Neural Information Processing Systems 28: Annual")
    assert meta.year == 2015
    assert meta.dblp_key == "conf/nips/RenHGS15"
    assert meta.source == "bibtex"
    assert meta.landing_url and meta.landing_url.startswith("https://proceedings.neurips.cc/")
    assert is_complete(meta)


def test_last_first_names_eprint_keywords_abstract() -> None:
    meta = _only(SCHOLAR_STYLE)
    assert meta.authors == ["Kaiming He", "Xiangyu Zhang", "Shaoqing Ren", "Jian Sun"]
    assert (meta.arxiv_id, meta.arxiv_version) == ("1512.03385", "v1")
    assert meta.keywords == ["deep learning", "residual networks", "ImageNet"]
    assert meta.abstract == "Deeper neural networks are more difficult to train."
    assert meta.venue == "arXiv preprint arXiv:1512.03385"


def test_latex_accents_von_parts_and_others() -> None:
    meta = _only(r"""@article{vdm08,
      author = {van der Maaten, Laurens and M{\"u}ller, J{\"o}rg and Erd\H{o}s, Paul and others},
      title = {Visualizing Data using {t-SNE}},
      journal = {Journal of Machine Learning Research}, volume = 9, year = 2008}""")
    assert meta.authors == ["Laurens van der Maaten", "J\u00f6rg M\u00fcller", "Paul Erd\u0151s"]
    assert meta.title == "Visualizing Data using t-SNE"
    assert meta.year == 2008


def test_doi_and_url_forms() -> None:
    meta = _only("@article{x, title={T}, author={A B}, year={2016}, doi={https://doi.org/10.1109/CVPR.2016.90}}")
    assert meta.doi == "10.1109/cvpr.2016.90"
    meta = _only("@misc{y, title={T}, url={https://arxiv.org/abs/1707.06684v2}}")
    assert (meta.arxiv_id, meta.arxiv_version) == ("1707.06684", "v2")
    meta = _only("@misc{z, title={T}, url={https://doi.org/10.1038/44565}}")
    assert meta.doi == "10.1038/44565"
    meta = _only("@misc{p, title={T}, url={https://example.org/paper.pdf}, doi={not a doi}}")
    assert meta.pdf_url == "https://example.org/paper.pdf" and meta.landing_url is None and meta.doi is None


def test_string_macros_and_biblatex_date() -> None:
    meta = _only("""@string{nips = "Neural Information Processing Systems"}
      @inproceedings{LeeS00, title={Algorithms for Non-negative Matrix Factorization},
        author={Lee, Daniel D. and Seung, H. Sebastian}, booktitle=nips, date={2000-11-27}}""")
    assert meta.venue == "Neural Information Processing Systems"
    assert meta.year == 2000
    assert meta.published is not None and meta.published.isoformat() == "2000-11-27"


def test_malformed_entries_are_reported_not_raised() -> None:
    text = DBLP_STYLE + """
@article{broken,
  author = {Someone},
  title = {Missing brace,
  year = {2020}
}
@misc{notitle, author={A B}, year={2000}}
@misc{notitle, author={A B}, year={2000}, title={Again}}
@misc{twice, title={x}, title={y}}
""" + SCHOLAR_STYLE
    results = parse_bibtex(text)
    assert [r.key for r in results] == ["DBLP:conf/nips/RenHGS15", "broken", "notitle", "notitle", "twice",
                                        "he2015deep"]
    assert [r.ok for r in results] == [True, False, False, False, False, True]
    errors = [r.error for r in results if not r.ok]
    assert errors[0] == "Entry “broken” (line 17) is not valid BibTeX (unbalanced braces or a missing comma?)."
    assert errors[1] == "Entry “notitle” (line 22) has no title."
    assert "repeats an earlier key" in (errors[2] or "")
    assert "has the same field twice" in (errors[3] or "")


def test_nothing_to_read() -> None:
    assert parse_bibtex("") == []
    assert parse_bibtex("just some text, no entries") == []
    assert parse_bibtex("% only a comment\n@comment{nothing}") == []


def test_is_complete() -> None:
    assert not is_complete(PaperMetadata(title="T", source="bibtex", year=2000))
    assert not is_complete(PaperMetadata(title="T", source="bibtex", authors=["A B"]))
    assert is_complete(PaperMetadata(title="T", source="bibtex", authors=["A B"], year=2000))


def test_result_shape() -> None:
    result = BibtexResult(key="k", line=3, error="bad")
    assert not result.ok and result.metadata is None

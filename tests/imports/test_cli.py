"""`fediscience import shortscience` and `fediscience import bibtex`: valid rows in, bad rows reported by line,
reruns add nothing."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from fediscience.db import db
from fediscience.papers.models import Paper
from fediscience.summaries.models import Summary
from fediscience.users.services import find_user
from tests.imports.helpers import offline_transport, shortscience_export
from tests.papers.recorded import recorded_transport

REPORTED = re.compile(r"^line (\d+): (.*)$", re.MULTILINE)


def reported_lines(stderr: str) -> dict[int, str]:
    return {int(line): message for line, message in REPORTED.findall(stderr)}


def summaries_of(app, username: str) -> dict[str, Summary]:
    with app.app_context():
        actor = find_user(username).actor
        found = db.session.scalars(select(Summary).where(Summary.author_id == actor.id))
        return {summary.paper.dblp_key: summary for summary in found}


def test_a_shortscience_export_imports_its_valid_rows_and_reports_the_bad_ones_by_line(app, cli, make_user):
    make_user("alice")
    export = shortscience_export()
    result = cli("import", "shortscience", "FILE", "--user", "alice", file_text=export.text)

    assert result.exit_code == 1, result.output  # some rows were refused
    assert "summaries: 7 imported, 0 already there, 5 refused (12 rows in the file)" in result.stdout
    reported = reported_lines(result.stderr)
    assert set(reported) == set(export.bad_lines), result.stderr
    for line, word in export.bad_lines.items():
        assert word in reported[line], (line, reported[line])

    stored = summaries_of(app, "alice")
    assert {key: summary.source for key, summary in stored.items()} == export.valid
    with app.app_context():
        resnet = db.session.scalar(select(Paper).where(Paper.dblp_key == "journals/corr/HeZRS15"))
        assert resnet.arxiv_id == "1512.03385" and resnet.title == "Deep Residual Learning for Image Recognition"
        assert all(summary.is_public for summary in db.session.scalars(select(Summary)))
        assert db.session.scalar(select(func.count(Paper.id))) == 7


def test_a_rerun_imports_nothing_new_and_needs_no_network(app, cli, make_user):
    make_user("alice")
    export = shortscience_export()
    cli("import", "shortscience", "FILE", "--user", "alice", file_text=export.text)
    before = {key: summary.id for key, summary in summaries_of(app, "alice").items()}

    app.extensions["fediscience.http_transport"] = offline_transport()
    again = cli("import", "shortscience", "FILE", "--user", "alice", file_text=export.text)

    assert "summaries: 0 imported, 7 already there, 5 refused" in again.stdout, again.output
    assert set(reported_lines(again.stderr)) == set(export.bad_lines)
    assert {key: summary.id for key, summary in summaries_of(app, "alice").items()} == before
    with app.app_context():
        assert db.session.scalar(select(func.count(Paper.id))) == 7


def test_a_network_failure_refuses_only_its_row(app, cli, make_user):
    make_user("alice")
    app.extensions["fediscience.http_transport"] = recorded_transport(fail={"conf/nips/RenHGS15"})
    text = 'conf/nips/RenHGS15,"Faster R-CNN, summarised."\nconf/nips/LeeS00,"NMF, summarised."\n'
    result = cli("import", "shortscience", "FILE", "--user", "alice", file_text=text)
    assert "summaries: 1 imported" in result.stdout, result.output
    assert list(reported_lines(result.stderr)) == [1]
    assert set(summaries_of(app, "alice")) == {"conf/nips/LeeS00"}
    with app.app_context():
        assert db.session.scalar(select(Paper.id).where(Paper.dblp_key == "conf/nips/RenHGS15")) is None


def test_unknown_user_and_unreadable_file_fail_cleanly(app, cli, make_user, tmp_path):
    nobody = cli("import", "shortscience", "FILE", "--user", "nobody", file_text="conf/a/B,text\n")
    assert nobody.exit_code != 0 and "no user named nobody" in nobody.output
    make_user("alice")
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes('conf/nips/LeeS00,"Gödel"\n'.encode("latin-1"))
    result = cli("import", "shortscience", str(latin1), "--user", "alice")
    assert result.exit_code != 0 and "not UTF-8" in result.output
    assert summaries_of(app, "alice") == {}


BIBTEX = """% papers to add
@inproceedings{DBLP:conf/nips/LeeS00,
  author    = {Daniel D. Lee and H. Sebastian Seung},
  title     = {Algorithms for Non-negative Matrix Factorization},
  booktitle = {NIPS},
  year      = {2000},
}

@article{he2016resnet,
  title   = {Deep Residual Learning for Image Recognition},
  author  = {He, Kaiming and Zhang, Xiangyu and Ren, Shaoqing and Sun, Jian},
  journal = {arXiv preprint},
  year    = {2015},
  eprint  = {1512.03385},
  archivePrefix = {arXiv},
}

@article{notitle,
  author = {Nobody},
  year   = {2020},
  doi    = {10.1000/none},
}

@misc{noid,
  title  = {A Paper Without Any Identifier},
  author = {Some One},
  year   = {2021},
}
"""


def test_a_bibtex_file_of_complete_entries_needs_no_network(app, cli):
    app.extensions["fediscience.http_transport"] = offline_transport()
    result = cli("import", "bibtex", "FILE", file_text=BIBTEX)
    assert "papers: 2 imported, 0 already there, 2 refused (4 rows in the file)" in result.stdout, result.output
    reported = reported_lines(result.stderr)
    assert set(reported) == {18, 24}, result.stderr
    assert "no title" in reported[18] and "no DOI, arXiv id or DBLP key" in reported[24]
    with app.app_context():
        papers = {paper.title: paper for paper in db.session.scalars(select(Paper))}
        assert papers["Algorithms for Non-negative Matrix Factorization"].dblp_key == "conf/nips/LeeS00"
        assert papers["Deep Residual Learning for Image Recognition"].arxiv_id == "1512.03385"

    again = cli("import", "bibtex", "FILE", file_text=BIBTEX)
    assert "papers: 0 imported, 2 already there, 2 refused" in again.stdout, again.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Paper.id))) == 2


def test_an_incomplete_bibtex_entry_is_resolved_by_its_identifier(app, cli):
    text = "@misc{x, title = {Robustness}, eprint = {1608.08967}, archivePrefix = {arXiv}}\n"
    result = cli("import", "bibtex", "FILE", file_text=text)
    assert result.exit_code == 0 and "papers: 1 imported" in result.stdout, result.output
    with app.app_context():
        paper = db.session.scalar(select(Paper).where(Paper.arxiv_id == "1608.08967"))
        assert paper.title == "Robustness of classifiers: from adversarial to random noise"
        assert paper.authors_text.startswith("Alhussein Fawzi")

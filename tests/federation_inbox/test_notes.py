"""Create{Note} of a FediScience summary: filed under our paper (or a provisional one), rendered, deduplicated."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from fediscience.db import db
from fediscience.papers.models import Paper, PaperLookup
from fediscience.summaries.models import Summary, SummaryRevision
from fediscience.users.models import Actor
from tests.federation_inbox.conftest import Remote, activity, count, deliver, process
from tests.federation_inbox.notes import errors, parse, statuses, summary_note
from tests.helpers import make_paper
from tests.papers.recorded import recorded_transport

RESNET_DOI = "10.1109/cvpr.2016.90"


def _summary(app: Flask) -> Summary:
    with app.app_context():
        summary = db.session.scalar(select(Summary))
        assert summary is not None
        db.session.expunge(summary)
        return summary


def _paper(app: Flask, **where: Any) -> Paper:
    with app.app_context():
        paper = db.session.scalar(select(Paper).filter_by(**where))
        assert paper is not None
        paper.author_names  # load the authors before leaving the session
        db.session.expunge(paper)
        return paper


@pytest.mark.parametrize(
    "claims",
    [{"doi": "10.1109/CVPR.2016.90"}, {"arxiv": "1512.03385v2"}, {"doi": "10.48550/arXiv.1512.03385"},
     {"doi": "not a doi", "dblp": "conf/cvpr/HeZRS16", "arxiv": "1512.03385"}],
    ids=["doi", "arxiv-with-version", "arxiv-doi", "any-valid-identifier"],
)
def test_a_remote_summary_is_filed_under_our_paper_found_by_any_identifier(
    app: Flask, client: Any, mallory: Remote, claims: dict[str, str]
) -> None:
    with app.app_context():
        paper_id = make_paper("Deep Residual Learning", arxiv_id="1512.03385", doi=RESNET_DOI).id
        db.session.commit()
    note = summary_note(mallory, "1", {"title": "Claimed title", **claims})

    assert deliver(client, mallory, activity(mallory, "Create", note)).status_code == 202
    process(app)

    assert statuses(app) == ["done"]
    summary = _summary(app)
    assert (summary.uri, summary.url, summary.paper_id) == (note["id"], note["url"], paper_id)
    with app.app_context():
        assert db.session.get(Actor, summary.author_id).uri == mallory.uri
    assert summary.is_public and summary.published_at.isoformat().startswith("2025-06-01T12:00:00")
    assert count(app, Paper) == 1 and count(app, PaperLookup) == 0
    paper = _paper(app, id=paper_id)
    assert paper.summary_count == 1 and paper.title == "Deep Residual Learning"  # the claims change nothing


def test_an_unknown_paper_is_provisional_until_its_lookup_confirms_it(
    app: Flask, client: Any, mallory: Remote
) -> None:
    app.extensions["fediscience.http_transport"] = recorded_transport(unavailable={"1512.03385"})
    claims = {"title": "Residual nets (claimed)", "authors": ["Claimed Author"], "venue": "CVPR", "year": 2016,
              "arxiv": "1512.03385", "doi": RESNET_DOI}
    deliver(client, mallory, activity(mallory, "Create", summary_note(mallory, "1", claims)))
    process(app)

    paper = _paper(app)
    assert paper.provisional is True
    assert (paper.title, paper.author_names, paper.venue, paper.year) == (
        "Residual nets (claimed)", ["Claimed Author"], "CVPR", 2016)
    assert (paper.arxiv_id, paper.doi, paper.metadata_source) == ("1512.03385", RESNET_DOI, "fediverse")
    assert _summary(app).paper_id == paper.id
    with app.app_context():
        lookup = db.session.scalar(select(PaperLookup))
        assert (lookup.scheme, lookup.value, lookup.paper_id, lookup.status) == ("arxiv", "1512.03385", paper.id, "failed")


def test_the_confirming_lookup_replaces_the_claims_and_later_claims_change_nothing(
    app: Flask, client: Any, mallory: Remote, trent: Remote
) -> None:
    claims = {"title": "Residual nets (claimed)", "authors": ["Claimed Author"], "year": 1999,
              "arxiv": "1512.03385", "doi": RESNET_DOI}
    deliver(client, mallory, activity(mallory, "Create", summary_note(mallory, "1", claims)))
    process(app)

    paper = _paper(app)
    assert paper.provisional is False
    assert paper.title == "Deep Residual Learning for Image Recognition"
    assert paper.author_names[:2] == ["Kaiming He", "Xiangyu Zhang"] and paper.year == 2015
    assert paper.doi == RESNET_DOI  # a claimed identifier the fetched record does not contradict stays
    with app.app_context():
        assert db.session.scalar(select(PaperLookup.status)) == "done"

    other = {"title": "Something else entirely", "authors": ["Nobody"], "arxiv": "1512.03385"}
    deliver(client, trent, activity(trent, "Create", summary_note(trent, "2", other)))
    process(app)
    again = _paper(app)
    assert (again.title, again.author_names, again.year) == (paper.title, paper.author_names, 2015)
    assert count(app, Paper) == 1 and count(app, Summary, Summary.paper_id == paper.id) == 2
    assert _paper(app).summary_count == 2


def test_a_provisional_duplicate_merges_into_the_paper_its_lookup_finds(
    app: Flask, client: Any, mallory: Remote
) -> None:
    with app.app_context():
        held = make_paper("Deep Residual Learning", arxiv_id=None, doi=RESNET_DOI).id
        db.session.commit()
    note = summary_note(mallory, "1", {"title": "ResNet", "dblp": "conf/cvpr/HeZRS16"})
    deliver(client, mallory, activity(mallory, "Create", note))
    process(app)

    assert count(app, Paper) == 1
    assert _summary(app).paper_id == held
    paper = _paper(app, id=held)
    assert paper.summary_count == 1 and paper.dblp_key == "conf/cvpr/HeZRS16" and not paper.provisional


def test_markdown_source_is_rendered_by_us_and_the_content_ignored(app: Flask, client: Any, mallory: Remote) -> None:
    with app.app_context():
        make_paper("ShortScience")
        db.session.commit()
    source = "Energy: $E = mc^2$.\n\n<script>alert(1)</script>"
    note = summary_note(mallory, "1", {"arxiv": "1707.06684"}, source=source, content="<p>NOT SHOWN</p>")
    deliver(client, mallory, activity(mallory, "Create", note))
    process(app)

    summary = _summary(app)
    tree = parse(summary.html)
    [annotation] = tree.xpath("//math/semantics/annotation")
    assert annotation.get("encoding") == "application/x-tex" and annotation.text == "E = mc^2"
    assert not tree.xpath("//script") and "NOT SHOWN" not in tree.text_content()
    assert summary.source == source
    with app.app_context():
        assert db.session.scalar(select(SummaryRevision.source)) == source


def test_html_content_is_sanitised(app: Flask, client: Any, mallory: Remote) -> None:
    with app.app_context():
        make_paper("ShortScience")
        db.session.commit()
    content = (
        '<p>Kept text <script>alert(1)</script><img src="x" onerror="alert(2)">'
        '<a href="javascript:alert(3)" onclick="alert(4)">bad link</a> <a href="https://ok.example/">good link</a>'
        '<span style="color:red" onmouseover="alert(5)">styled</span></p><iframe src="https://evil.example/"></iframe>'
    )
    deliver(client, mallory, activity(mallory, "Create", summary_note(mallory, "1", {"arxiv": "1707.06684"},
                                                                     content=content)))
    process(app)

    tree = parse(_summary(app).html)
    assert not tree.xpath("//script | //iframe | //img | //*[@style]")
    assert not [name for element in tree.iter() for name in element.attrib if name.lower().startswith("on")]
    assert all(not href.lower().startswith("javascript:") for href in tree.xpath("//a/@href"))
    assert tree.xpath("//a/@href") == ["https://ok.example/"]
    assert "Kept text" in tree.text_content() and "styled" in tree.text_content()
    assert _summary(app).source.startswith("Kept text")


def test_the_same_note_twice_stores_one_summary(app: Flask, client: Any, mallory: Remote) -> None:
    with app.app_context():
        make_paper("ShortScience")
        db.session.commit()
    note = summary_note(mallory, "1", {"arxiv": "1707.06684"})
    create = activity(mallory, "Create", note)
    deliver(client, mallory, create)
    deliver(client, mallory, create)  # the same activity: one inbox item
    process(app)
    deliver(client, mallory, activity(mallory, "Create", note))  # a new activity id, the same object
    process(app)

    assert statuses(app) == ["done", "done"]
    assert count(app, Summary) == 1 and count(app, SummaryRevision) == 1
    assert _paper(app).summary_count == 1


def test_a_second_summary_by_one_author_of_one_paper_replaces_an_older_one_only(
    app: Flask, client: Any, mallory: Remote
) -> None:
    with app.app_context():
        make_paper("ShortScience")
        db.session.commit()
    paper = {"arxiv": "1707.06684"}
    deliver(client, mallory, activity(mallory, "Create", summary_note(mallory, "1", paper)))
    process(app)
    older = summary_note(mallory, "0", paper, content="<p>older</p>", published="2024-01-01T00:00:00Z")
    deliver(client, mallory, activity(mallory, "Create", older))
    process(app)
    newer = summary_note(mallory, "2", paper, content="<p>newer</p>", published="2025-07-01T00:00:00Z")
    deliver(client, mallory, activity(mallory, "Create", newer))
    process(app)

    assert statuses(app) == ["done", "rejected", "done"]
    summary = _summary(app)
    assert (summary.uri, summary.html) == (newer["id"], "<p>newer</p>")
    assert count(app, Summary) == 1 and count(app, SummaryRevision) == 2


def test_what_is_not_a_public_summary_is_ignored_or_rejected(app: Flask, client: Any, mallory: Remote) -> None:
    with app.app_context():
        make_paper("ShortScience")
        db.session.commit()
    paper = {"arxiv": "1707.06684"}
    huge = "x" * 100_001
    deliver(client, mallory, activity(mallory, "Create", summary_note(mallory, "1", paper, source=huge)))
    deliver(client, mallory, activity(mallory, "Create", summary_note(mallory, "2", paper, content=f"<p>{huge}</p>")))
    deliver(client, mallory, activity(mallory, "Create", summary_note(mallory, "3", {"doi": "nonsense"})))
    process(app)
    private = summary_note(mallory, "4", paper, to=[f"{mallory.uri}/followers"], cc=[])
    plain = summary_note(mallory, "5", paper)
    del plain["paper"]
    article = summary_note(mallory, "6", paper, type="Article")
    for obj in (private, plain, article, summary_note(mallory, "7", paper)["id"]):
        deliver(client, mallory, activity(mallory, "Create", obj))
    process(app)

    assert statuses(app) == ["rejected"] * 3 + ["ignored"] * 4
    assert "100 KB" in errors(app)[0] and "100 KB" in errors(app)[1] and "DOI" in errors(app)[2]
    assert count(app, Summary) == 0 and count(app, Paper) == 1


def test_a_provisional_paper_merges_into_a_paper_added_after_it(
    app: Flask, client: Any, mallory: Remote, trent: Remote
) -> None:
    from fediscience.papers.metadata import PaperMetadata
    from fediscience.papers.services import confirm_provisional

    app.extensions["fediscience.http_transport"] = recorded_transport(unavailable={"conf/cvpr/HeZRS16"})
    for remote in (mallory, trent):
        note = summary_note(remote, "1", {"title": "ResNet", "dblp": "conf/cvpr/HeZRS16"})
        deliver(client, remote, activity(remote, "Create", note))
        process(app)
    with app.app_context():
        held = make_paper("Deep Residual Learning", arxiv_id=None, doi=RESNET_DOI)
        trent_actor = db.session.scalar(select(Actor).where(Actor.uri == trent.uri))
        db.session.add(Summary(paper=held, author=trent_actor, source="x", html="<p>x</p>", share_token="t"))
        db.session.commit()
        provisional = db.session.scalar(select(Paper).where(Paper.provisional))
        assert provisional.id < held.id
        fetched = PaperMetadata(title="Deep Residual Learning for Image Recognition", source="dblp",
                                doi=RESNET_DOI, dblp_key="conf/cvpr/HeZRS16", year=2016)
        assert confirm_provisional(provisional, fetched).id == held.id
        db.session.commit()

    assert count(app, Paper) == 1
    paper = _paper(app)
    assert (paper.dblp_key, paper.year, paper.summary_count) == ("conf/cvpr/HeZRS16", 2017, 2)  # held data stays
    with app.app_context():  # Mallory's summary moved; Trent's duplicate went with the provisional paper
        assert set(db.session.scalars(select(Summary.uri))) == {f"{mallory.uri}/summaries/1", None}

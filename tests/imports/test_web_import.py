"""Importing from the settings page: an upload becomes a job, and its progress page shows counts and bad lines."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from fediscience.db import db
from fediscience.imports import services
from fediscience.imports.models import ImportRun
from fediscience.jobs.imports import run_import
from fediscience.summaries.models import Summary
from tests.helpers import post_form, register, wait_for_jobs
from tests.imports.helpers import shortscience_export


def upload(client, data: bytes, kind: str = "shortscience", name: str = "shortscience-export.csv"):
    return post_form(client, "/settings/import", {"kind": kind, "file": (io.BytesIO(data), name)},
                     content_type="multipart/form-data")


def the_run(app) -> ImportRun:
    with app.app_context():
        run = db.session.scalars(select(ImportRun)).one()
        db.session.expunge(run)
        return run


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_an_upload_runs_as_a_job_and_its_page_shows_progress_and_bad_lines(app, alice):
    export = shortscience_export()
    response = upload(alice, export.text.encode())
    assert response.status_code == 302
    progress_path = response.headers["Location"]
    assert re.fullmatch(r"/settings/import/\w+", progress_path)
    wait_for_jobs(app)

    run = the_run(app)
    assert (run.status, run.total, run.processed, run.imported, run.skipped) == ("done", 12, 12, 7, 0)
    assert {error["line"] for error in run.errors} == set(export.bad_lines)
    page = alice.get(progress_path).get_data(as_text=True)
    assert 'data-status="done"' in page and "12 of 12 rows" in page and 'http-equiv="refresh"' not in page
    for line in export.bad_lines:
        assert f"<strong>line {line}</strong>" in page
    assert count(app, Summary) == 7

    listing = alice.get("/settings/import").get_data(as_text=True)
    assert progress_path in listing and "shortscience-export.csv" in listing


def test_a_second_upload_of_the_same_file_imports_nothing_new(app, alice):
    data = shortscience_export().text.encode()
    upload(alice, data)
    wait_for_jobs(app)
    upload(alice, data)
    wait_for_jobs(app)
    with app.app_context():
        runs = list(db.session.scalars(select(ImportRun).order_by(ImportRun.id)))
        assert [(run.imported, run.skipped) for run in runs] == [(7, 0), (0, 7)]
    assert count(app, Summary) == 7


def test_a_pending_run_shows_a_refreshing_page_and_a_second_delivery_does_nothing(app, alice, monkeypatch):
    monkeypatch.setattr("fediscience.jobs.queue.ThreadRunner.enqueue", lambda self, func, *args: None)
    response = upload(alice, b'conf/nips/LeeS00,"NMF, in short."\n')
    page = alice.get(response.headers["Location"]).get_data(as_text=True)
    assert 'data-status="pending"' in page and 'http-equiv="refresh"' in page

    run_id = the_run(app).id
    with app.app_context():
        run_import(run_id)
        run_import(run_id)  # delivered twice: the second finds it taken
    run = the_run(app)
    assert (run.status, run.imported, run.skipped) == ("done", 1, 0)
    assert count(app, Summary) == 1


def test_an_unexpected_error_marks_the_run_failed_with_a_message(app, alice, monkeypatch):
    def explode(text, user, progress):
        raise RuntimeError("boom")

    monkeypatch.setitem(services.IMPORTERS, "shortscience", explode)
    response = upload(alice, b'conf/nips/LeeS00,"NMF."\n')
    wait_for_jobs(app)
    run = the_run(app)
    assert run.status == "failed" and run.finished_at is not None
    assert "stopped unexpectedly" in run.errors[-1]["message"]
    page = alice.get(response.headers["Location"]).get_data(as_text=True)
    assert 'data-status="failed"' in page and "stopped unexpectedly" in page


@pytest.mark.parametrize(
    "data, message",
    [
        ('conf/nips/LeeS00,"Gödel"\n'.encode("latin-1"), "not UTF-8"),
        (b"", "The file is empty"),
        (b"   \n", "empty"),
        (b"conf/a/B,te\x00xt\n", "NUL"),
        (b"x" * (services.MAX_IMPORT_BYTES + 1), "over the limit of 5 MB"),
    ],
)
def test_bad_uploads_are_refused_with_a_form_error_and_change_nothing(app, alice, data, message):
    response = upload(alice, data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert count(app, ImportRun) == 0


def test_an_upload_without_a_file_or_with_an_unknown_kind_is_refused(app, alice):
    no_file = post_form(alice, "/settings/import", {"kind": "shortscience"}, content_type="multipart/form-data")
    assert no_file.status_code == 400 and "Choose a file to import." in no_file.get_data(as_text=True)
    odd_kind = upload(alice, b"conf/a/B,text\n", kind="zip")
    assert odd_kind.status_code == 400
    assert count(app, ImportRun) == 0


def test_a_bibtex_upload_adds_papers(app, alice):
    bibtex = b"@inproceedings{DBLP:conf/nips/LeeS00, title={Algorithms for NMF}, author={Lee, D. and Seung, H.}, year={2000}}\n"
    upload(alice, bibtex, kind="bibtex", name="papers.bib")
    wait_for_jobs(app)
    run = the_run(app)
    assert (run.kind, run.status, run.imported) == ("bibtex", "done", 1)


def test_imports_need_a_login_a_csrf_token_and_the_owner(app, alice, client):
    response = upload(alice, b'conf/nips/LeeS00,"NMF."\n')
    progress_path = response.headers["Location"]
    wait_for_jobs(app)
    for path in ("/settings/import", progress_path):
        assert client.get(path).status_code == 302
        assert "/login" in client.get(path).headers["Location"]
    bob = app.test_client()
    register(bob, "bob")
    assert bob.get(progress_path).status_code == 404
    assert progress_path not in bob.get("/settings/import").get_data(as_text=True)
    no_token = alice.post("/settings/import", data={"kind": "shortscience", "file": (io.BytesIO(b"a,b"), "x.csv")},
                          content_type="multipart/form-data")
    assert no_token.status_code == 400
    assert count(app, ImportRun) == 1

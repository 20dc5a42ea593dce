"""Every real ShortScience summary from the seeds goes through the web forms and renders, never a 500."""

from __future__ import annotations

from sqlalchemy import func, select

from fediscience.db import db
from fediscience.summaries.models import Summary
from fediscience.users.services import register_user
from tests.helpers import PASSWORD, login, make_paper, post_form
from tests.text.test_seeds import seed_summaries


def test_seed_summaries_are_written_previewed_and_shown(app):
    texts = seed_summaries()
    assert len(texts) >= 55
    with app.app_context():
        papers = [make_paper(f"Seed paper {i}", arxiv_id=f"1801.{i:05d}").public_id for i in range(len(texts))]
        register_user("seeder", "seeder@example.org", PASSWORD)
        db.session.commit()
    client = app.test_client()
    login(client, "seeder")
    for paper_id, text in zip(papers, texts):
        preview = post_form(client, f"/p/{paper_id}/summarize", {"source": text, "preview": "Preview"})
        assert preview.status_code == 200
        saved = post_form(client, f"/p/{paper_id}/summarize", {"source": text, "save": "Save"})
        assert saved.status_code == 302, saved.get_data(as_text=True)[:300]
        page = client.get(f"/p/{paper_id}")
        assert page.status_code == 200
        if "$" in text:
            assert "<math" in page.get_data(as_text=True) or "math-error" in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Summary.id))) == len(texts)
    assert client.get("/").status_code == 200

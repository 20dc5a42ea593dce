"""Search finds papers and public summaries by their words, ranks title hits first and highlights matches safely."""

from __future__ import annotations

from fediscience.papers.metadata import PaperMetadata
from fediscience.papers.services import store_metadata
from fediscience.search import search
from fediscience.summaries.services import delete_summary, edit_summary
from fediscience.users.services import register_user
from tests.helpers import PASSWORD
from tests.search.conftest import paper, summary


def kinds_and_titles(query: str) -> list[tuple[str, str]]:
    return [(hit.kind, hit.paper.title) for hit in search(query).hits]


def test_finds_a_paper_by_a_word_of_its_abstract(app_context, commit):
    paper("Attention is all you need", abstract="We propose the Transformer, based solely on attention mechanisms.")
    paper("Something else")
    commit()
    result = search("transformer")
    assert result.total == 1
    assert [(hit.kind, hit.paper.title, hit.summary) for hit in result.hits] == [
        ("paper", "Attention is all you need", None)
    ]


def test_finds_a_paper_by_an_author_name_and_stems_words(app_context, commit):
    paper("Computing machinery and intelligence", authors=["Alan Turing"])
    paper("Notes on the analytical engine", authors=["Ada Lovelace"], abstract="Engines computing numbers.")
    commit()
    assert kinds_and_titles("Turing") == [("paper", "Computing machinery and intelligence")]
    assert kinds_and_titles("engines") == [("paper", "Notes on the analytical engine")]


def test_every_word_must_match(app_context, commit):
    paper("Deep residual learning", abstract="Residual networks ease training.")
    paper("Deep belief nets", abstract="Belief networks with many layers.")
    commit()
    assert kinds_and_titles("deep residual") == [("paper", "Deep residual learning")]
    assert search("deep").total == 2


def test_finds_a_summary_by_a_word_of_its_body(app_context, writer, commit):
    target = paper("Batch normalization")
    written = summary(writer, target, "The authors **whiten** activations per mini-batch, with $\\gamma$ learned.")
    commit()
    result = search("whiten")
    assert result.total == 1
    hit = result.hits[0]
    assert (hit.kind, hit.summary, hit.paper) == ("summary", written, target)
    assert "<mark>whiten</mark>" in hit.snippet_html


def test_a_title_match_ranks_above_a_body_only_match(app_context, writer, commit):
    body_only = paper("Neural ordinary differential equations", abstract="A continuous view of dropout layers.")
    summary(writer, body_only, "Compares the approach with dropout regularisation.")
    paper("Dropout: a simple way to prevent overfitting")
    commit()
    hits = search("dropout").hits
    assert len(hits) == 3
    assert (hits[0].kind, hits[0].paper.title) == ("paper", "Dropout: a simple way to prevent overfitting")
    assert hits[0].rank > hits[1].rank >= hits[2].rank


def test_the_snippet_marks_the_term(app_context, commit):
    paper("Graph networks", abstract="We introduce message passing between the nodes of a graph.")
    commit()
    snippet = search("passing").hits[0].snippet_html
    assert "<mark>passing</mark>" in snippet
    assert "message" in snippet


def test_the_snippet_escapes_markup_from_the_text(app_context, writer, commit):
    target = paper("Adversarial examples")
    summary(writer, target, "Beware of <script>alert('xss')</script> payloads when $a<b$ and $c>d$ hold.")
    commit()
    snippet = search("payloads").hits[0].snippet_html
    assert "<mark>payloads</mark>" in snippet
    assert "&lt;script&gt;alert(&#x27;xss&#x27;)&lt;/script&gt;" in snippet
    assert "$a&lt;b$ and $c&gt;d$" in snippet
    without_marks = snippet.replace("<mark>", "").replace("</mark>", "")
    assert "<" not in without_marks and ">" not in without_marks


def test_drafts_and_private_summaries_are_never_found(app_context, writer, commit):
    other = register_user("other", "other@example.org", PASSWORD).actor
    target = paper("Secrets")
    summary(writer, target, "A draft about zeppelins.", draft=True)
    summary(other, target, "A private note about zeppelins.", private=True)
    commit()
    assert search("zeppelins").total == 0
    assert search("zeppelins").hits == []


def test_a_summary_made_private_after_publishing_disappears(app_context, writer, commit):
    written = summary(writer, paper("Capsules"), "Dynamic routing between capsules, explained.")
    commit()
    assert search("routing").total == 1
    edit_summary(written, writer, written.source, draft=False, private=True)
    commit()
    assert search("routing").total == 0
    edit_summary(written, writer, written.source, draft=False, private=False)
    commit()
    assert search("routing").total == 1


def test_an_edited_summary_is_found_by_its_new_words_only(app_context, writer, commit):
    written = summary(writer, paper("Capsules"), "Dynamic routing between capsules.")
    commit()
    edit_summary(written, writer, "Squashing nonlinearity explained.", draft=False, private=False)
    commit()
    assert search("routing").total == 0
    assert search("squashing").total == 1


def test_a_deleted_summary_disappears(app_context, writer, commit):
    written = summary(writer, paper("Capsules"), "Dynamic routing between capsules.")
    commit()
    delete_summary(written, writer)
    commit()
    assert search("routing").total == 0
    assert search("capsules").total == 1  # the paper's title still matches


def test_a_paper_completed_later_is_found_by_its_new_abstract(app_context, commit):
    store_metadata(PaperMetadata(title="Sparse paper", source="manual", arxiv_id="2202.00001"))
    commit()
    assert search("hypernetworks").total == 0
    store_metadata(
        PaperMetadata(title="Sparse paper", source="arxiv", arxiv_id="2202.00001", abstract="About hypernetworks.")
    )
    commit()
    assert kinds_and_titles("hypernetworks") == [("paper", "Sparse paper")]


def test_pages_split_the_hits_without_overlap(app_context, commit):
    for number in range(5):
        paper(f"Kernel methods {number}")
    commit()
    first, second, third = (search("kernel", limit=2, offset=offset) for offset in (0, 2, 4))
    assert first.total == second.total == third.total == 5
    titles = [hit.paper.title for page in (first, second, third) for hit in page.hits]
    assert sorted(titles) == [f"Kernel methods {number}" for number in range(5)]
    assert search("kernel", limit=2, offset=10).hits == []


HOSTILE = [
    "", "   ", '"', '""', "*", "kernel*", "NEAR(", "NEAR(a b, 2)", "-", "-kernel", "AND OR", "AND", "NOT kernel",
    "'; DROP TABLE papers; --", "title:kernel", "^kernel", "(", ")", "{title}: x", "a:b", "\\", "%", "_", "&|!<->",
    "k" * 10_000, "kernel " * 2_000, "Ünïcödé ñoño 数学 математика 🙂 \u200b \ufeff", "\ue000kernel\ue001",
]


def test_hostile_queries_never_error(app_context, commit):
    paper("Kernel methods", abstract="Positive definite kernels and their feature spaces.")
    commit()
    for query in HOSTILE:
        result = search(query)
        assert result.total == len(result.hits), query
    assert search('"').total == 0 and search("-").total == 0
    assert search("-kernel").total == 1  # operators are words, not syntax
    assert search("'; DROP TABLE papers; --").total == 0
    assert search("kernel").total == 1

"""THE SEED TEST: every formula of real ShortScience summaries renders as valid MathML or fails visibly."""

import re
from collections import Counter
from pathlib import Path

import pytest
from tests.text.text_html_checks import annotations, dangerous_markup, failed_formulas, math_elements

from fediscience.text.markdown import find_formulas, render_markdown
from fediscience.text.mathml_check import LITERAL_COMMAND, mathml_problems

SEEDS = Path(__file__).resolve().parents[2].parent / "shared" / "seeds"

# Formulas that are broken in the dumps themselves (`\|r\|_2` lost its bars and kept a bare `\r`).
EXPECTED_INVALID = {r"\arg\min_r \r\_2"}
MIN_SUMMARIES = 55
MIN_CONVERTED = 195


def seed_summaries() -> list[str]:
    """Cut the seed pages into summaries: the line after `[link]`, or after a repeated paper header."""
    if not SEEDS.is_dir() or not list(SEEDS.glob("*.txt")):
        pytest.fail(f"seed pages missing: expected ShortScience dumps in {SEEDS}")
    found: list[str] = []
    for page in sorted(SEEDS.glob("*.txt")):
        found.extend(_page_summaries(page.read_text(encoding="utf-8")))
    return list(dict.fromkeys(found))


def _page_summaries(text: str) -> list[str]:
    # A page lists each paper as: title, authors, venue, "Keywords:", (abstract), the header again,
    # then `[link]` and the summary on one line; some pages leave the `[link]` out.
    lines = [line for line in text.splitlines() if line.strip()]
    found, keywords_seen = [], 0
    for index, line in enumerate(lines[:-1]):
        if line.strip() == "[link]":
            found.append(lines[index + 1])
            keywords_seen = 0
        elif line.startswith("Keywords:"):
            keywords_seen += 1
            if keywords_seen == 2:
                keywords_seen = 0
                if lines[index + 1].strip() != "[link]":
                    found.append(lines[index + 1])
    return found


@pytest.fixture(scope="module")
def summaries() -> list[str]:
    return seed_summaries()


@pytest.fixture(scope="module")
def rendered(summaries: list[str]) -> list[str]:
    return [render_markdown(summary) for summary in summaries]


def test_seed_pages_cut_into_summaries(summaries: list[str]) -> None:
    assert len(summaries) >= MIN_SUMMARIES
    assert all(len(summary) > 200 for summary in summaries)
    assert not any(summary.startswith(("Keywords:", "[link]", "**Abstract:**")) for summary in summaries)


def test_every_rendered_formula_is_valid_fep_dc88_mathml(rendered: list[str]) -> None:
    problems = {}
    for html in rendered:
        for xml in math_elements(html):
            found = mathml_problems(xml)
            if re.search(r">\s*" + LITERAL_COMMAND.pattern, xml.split("<annotation")[0]):
                found.append("literal \\command in an element")
            if '<annotation encoding="application/x-tex">' not in xml:
                found.append("no TeX annotation")
            if found:
                problems[xml[:200]] = found
    assert problems == {}


def test_each_formula_converts_with_its_own_source_or_fails_visibly(
    summaries: list[str], rendered: list[str]
) -> None:
    for summary, html in zip(summaries, rendered, strict=True):
        sources = Counter(tex for tex, _ in find_formulas(summary))
        shown = Counter(annotations(html)) + Counter(failed_formulas(html))
        assert shown == sources


def test_failures_are_exactly_the_listed_invalid_formulas(rendered: list[str]) -> None:
    failures = {tex for html in rendered for tex in failed_formulas(html)}
    assert failures == EXPECTED_INVALID


def test_failed_formula_is_shown_as_source_in_marked_span(rendered: list[str]) -> None:
    joined = "".join(rendered)
    for tex in EXPECTED_INVALID:
        escaped = tex.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        assert f'<span class="math-error" title="Could not render this formula">${escaped}$</span>' in joined


def test_most_seed_formulas_convert(summaries: list[str], rendered: list[str]) -> None:
    total = sum(len(find_formulas(summary)) for summary in summaries)
    converted = sum(len(math_elements(html)) for html in rendered)
    assert total >= MIN_CONVERTED + len(EXPECTED_INVALID)
    assert converted >= MIN_CONVERTED
    assert converted == total - sum(len(failed_formulas(html)) for html in rendered)


def test_display_formulas_render_as_blocks(rendered: list[str]) -> None:
    joined = "".join(rendered)
    assert joined.count('display="block"') >= 15
    assert "<mtable>" in joined  # the \begin{array} matrices with dumped `\\\\` row breaks


def test_rendered_seeds_are_safe(rendered: list[str]) -> None:
    assert [finding for html in rendered for finding in dangerous_markup(html)] == []

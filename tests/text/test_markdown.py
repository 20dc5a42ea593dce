"""render_markdown: CommonMark extras, maths untouched by Markdown, paper links, images, raw HTML."""

from tests.text.text_html_checks import annotations, dangerous_markup, failed_formulas, parse_tags

from fediscience.text import plain_text, render_markdown


def tags_named(html: str, name: str) -> list[dict[str, str]]:
    return [attrs for tag, attrs in parse_tags(html) if tag == name]


def test_table_with_alignment() -> None:
    html = render_markdown("| a | b |\n|:--|--:|\n| 1 | $x_2$ |\n")
    assert [tag for tag, _ in parse_tags(html)][:3] == ["table", "thead", "tr"]
    assert [attrs.get("align") for attrs in tags_named(html, "td")] == ["left", "right"]
    assert annotations(html) == ["x_2"]


def test_footnotes() -> None:
    html = render_markdown("Claim[^1].\n\n[^1]: Source $a$.\n")
    assert tags_named(html, "sup") == [{"class": "footnote-ref"}]
    assert {"href": "#fn1", "id": "fnref1", "rel": "nofollow noopener noreferrer"} in tags_named(html, "a")
    assert {"id": "fn1", "class": "footnote-item"} in tags_named(html, "li")
    assert annotations(html) == ["a"]


def test_footnote_ids_carry_doc_id() -> None:
    html = render_markdown("Claim[^1].\n\n[^1]: Source.\n", doc_id="s42")
    assert {"id": "fn-s42-1", "class": "footnote-item"} in tags_named(html, "li")


def test_fenced_code_keeps_language_and_dollars() -> None:
    html = render_markdown("```python\nprint('$x_1$')\n```\n")
    assert tags_named(html, "code") == [{"class": "language-python"}]
    assert "$x_1$" in html and "<math" not in html


def test_strikethrough() -> None:
    assert "<s>gone</s>" in render_markdown("~~gone~~")


def test_emphasis_is_not_applied_inside_maths() -> None:
    html = render_markdown(r"Both $a_i * b_j * c$ and $x_1 + y_1$ stay maths, *this* is emphasis.")
    assert annotations(html) == [r"a_i * b_j * c", "x_1 + y_1"]
    assert html.count("<em>") == 1
    assert "<em>this</em>" in html


def test_display_maths_block_and_inline_double() -> None:
    html = render_markdown("Text $$\\sum_i x_i$$ more.\n\n$$\n\\frac{a}{b}\n$$\n")
    assert annotations(html) == [r"\sum_i x_i", r"\frac{a}{b}"]
    assert html.count('display="block"') == 2


def test_escaped_dollar_is_literal() -> None:
    html = render_markdown(r"It costs \$5, not \$6 and $x$.")
    assert "It costs $5, not $6" in html
    assert annotations(html) == ["x"]


def test_currency_is_not_maths() -> None:
    html = render_markdown("Between $5 and $10 a month.")
    assert "<math" not in html and "$5 and $10" in html


def test_invalid_formula_is_marked() -> None:
    html = render_markdown(r"See $\nosuchcommand{x}$ here.")
    assert failed_formulas(html) == [r"\nosuchcommand{x}"]
    assert '<span class="math-error" title="Could not render this formula">' in html


def test_images_kept_when_allowed() -> None:
    html = render_markdown("![a plot](https://i.imgur.com/x.png)")
    assert tags_named(html, "img") == [{"src": "https://i.imgur.com/x.png", "alt": "a plot"}]


def test_images_become_links_when_not_allowed() -> None:
    html = render_markdown("![a plot](https://i.imgur.com/x.png)", allow_images=False)
    assert tags_named(html, "img") == []
    assert tags_named(html, "a") == [{"href": "https://i.imgur.com/x.png", "rel": "nofollow noopener noreferrer"}]
    assert "a plot" in html


def test_image_with_script_url_is_dropped() -> None:
    html = render_markdown("![x](javascript:alert(1)) ![y](data:image/png;base64,AAAA)")
    assert dangerous_markup(html) == []


def test_paper_identifier_links() -> None:
    html = render_markdown(
        "[BERT](arxiv:1810.04805), [doi](doi:10.1145/3292500.3330701), <dblp:journals/corr/LinDGHHB16>",
        paper_link_prefix="/p",
    )
    hrefs = [attrs["href"] for attrs in tags_named(html, "a")]
    assert hrefs == ["/p/arxiv/1810.04805", "/p/doi/10.1145/3292500.3330701", "/p/dblp/journals/corr/LinDGHHB16"]


def test_external_links_get_rel() -> None:
    html = render_markdown("[site](https://example.org/a?b=1)")
    assert tags_named(html, "a") == [{"href": "https://example.org/a?b=1", "rel": "nofollow noopener noreferrer"}]


def test_raw_html_is_neutralised() -> None:
    html = render_markdown('<script>alert(1)</script>\n\n<img src=x onerror=alert(1)> <b onclick="x()">b</b>')
    assert dangerous_markup(html) == []
    assert [tag for tag, _ in parse_tags(html)] == ["p", "p"]
    assert "&lt;script&gt;" in html


def test_javascript_link_is_not_a_link() -> None:
    html = render_markdown("[x](javascript:alert(1)) [y](JaVaScRiPt:alert(1))")
    assert all("href" not in attrs for attrs in tags_named(html, "a"))
    assert dangerous_markup(html) == []


def test_plain_text_keeps_formula_sources() -> None:
    html = render_markdown("# Title\n\nWe minimise $\\|x\\|_2$ and $$a<b$$ and $\\bad$.\n\n- item *one*\n")
    assert plain_text(html) == "Title\n\nWe minimise $\\|x\\|_2$ and $$a<b$$ and $\\bad$.\n\nitem one"


def test_rendering_never_raises_on_odd_markdown() -> None:
    for source in ["$", "$$", "$$$", "\\$$x$", "[^", "| a |\n|-", "```", "$a$b$c$", "\x00", "<" * 500, "$" * 999]:
        assert isinstance(render_markdown(source), str)

"""Markdown with `$…$`/`$$…$$` maths to safe HTML: markdown-it-py (CommonMark) → MathML → nh3."""

import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.footnote import footnote_plugin

from .links import paper_link
from .maths import formula_html
from .plain import plain_text
from .sanitize import sanitize_html

__all__ = ["find_formulas", "plain_text", "render_markdown"]

_ALIGN_STYLE = "text-align:"


def render_markdown(
    source: str, *, allow_images: bool = True, paper_link_prefix: str = "/papers", doc_id: str | None = None
) -> str:
    """Render Markdown with maths to sanitised HTML; `doc_id` keeps footnote ids unique on a page."""
    env: dict[str, Any] = {"allow_images": allow_images, "paper_link_prefix": paper_link_prefix}
    if doc_id:
        env["docId"] = re.sub(r"[^\w-]", "", doc_id)[:64]
    html = _parser().render(source, env)
    return sanitize_html(html, allow_images=allow_images)


def find_formulas(source: str) -> list[tuple[str, bool]]:
    """The `(tex, display)` formulas in Markdown `source`, in order, as the renderer sees them."""
    tokens = _math_tokens(_parser().parse(source))
    return [(token.content.strip(), token.type != "math_inline") for token in tokens]


def _math_tokens(tokens: Sequence[Token]) -> list[Token]:
    found: list[Token] = []
    for token in tokens:
        if token.type.startswith("math_"):
            found.append(token)
        found.extend(_math_tokens(token.children or []))
    return found


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.use(footnote_plugin)
    # Pandoc's rules: no space inside and no digit outside the dollars, so "$5 and $10" stays text.
    md.use(dollarmath_plugin, allow_labels=False, allow_space=False, allow_digits=False,
           allow_blank_lines=False, double_inline=True)
    for name, display in (("math_inline", False), ("math_inline_double", True), ("math_block", True)):
        md.add_render_rule(name, _math_rule(display))
    md.add_render_rule("link_open", _render_link_open)
    md.add_render_rule("image", _render_image)
    md.add_render_rule("th_open", _render_cell_open)
    md.add_render_rule("td_open", _render_cell_open)
    return md


def _math_rule(display: bool) -> Callable[..., str]:
    def render(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        html = formula_html(tokens[idx].content, display)
        return f"\n{html}\n" if tokens[idx].block else html

    return render


def _render_link_open(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    local = paper_link(str(token.attrGet("href") or ""), env.get("paper_link_prefix", "/papers"))
    if local is not None:
        token.attrSet("href", local)
    return self.renderToken(tokens, idx, options, env)


def _render_image(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    alt = self.renderInlineAsText(token.children or [], options, env)
    if env.get("allow_images", True):
        token.attrSet("alt", alt)
        return self.renderToken(tokens, idx, options, env)
    src = str(token.attrGet("src") or "")
    return f'<a href="{escapeHtml(src)}">{escapeHtml(alt or src)}</a>'


def _render_cell_open(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    # markdown-it aligns cells with a style attribute, which the sanitiser drops; use align="…".
    token = tokens[idx]
    style = str(token.attrGet("style") or "")
    if style.startswith(_ALIGN_STYLE):
        token.attrs.pop("style", None)
        token.attrSet("align", style[len(_ALIGN_STYLE):])
    return self.renderToken(tokens, idx, options, env)


"""Summary text: Markdown with LaTeX maths to safe HTML with MathML (pure: no Flask, DB or network)."""

from .errors import MathError
from .markdown import render_markdown
from .maths import tex_to_mathml
from .plain import plain_text
from .sanitize import sanitize_html, sanitize_remote_html

__all__ = [
    "MathError",
    "plain_text",
    "render_markdown",
    "sanitize_html",
    "sanitize_remote_html",
    "tex_to_mathml",
]

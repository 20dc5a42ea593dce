"""Helpers for the text tests: find dangerous markup by parsing, and pull formulas out of HTML."""

import html
import re
from html.parser import HTMLParser

FORBIDDEN_ELEMENTS = frozenset(
    {"script", "style", "iframe", "frame", "form", "input", "button", "textarea", "object", "embed",
     "svg", "link", "meta", "base", "template", "noscript"}
)
URL_ATTRIBUTES = frozenset({"href", "src", "xlink:href", "action", "formaction", "srcset", "background"})
MATH_ELEMENT = re.compile(r"<math\b.*?</math>", re.S)
ERROR_SPAN = re.compile(r'<span class="math-error" title="Could not render this formula">(.*?)</span>', re.S)
ANNOTATION = re.compile(r'<annotation encoding="application/x-tex">(.*?)</annotation>', re.S)


class _Auditor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.findings: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in FORBIDDEN_ELEMENTS:
            self.findings.append(f"<{tag}> element")
        for name, value in attrs:
            self._audit_attribute(tag, name, value or "")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def _audit_attribute(self, tag: str, name: str, value: str) -> None:
        if name.startswith("on"):
            self.findings.append(f"event handler {name} on <{tag}>")
        if name == "style":
            self.findings.append(f"style attribute on <{tag}>")
        scheme = re.sub(r"[\s\x00-\x1f]", "", value).lower()
        if name in URL_ATTRIBUTES and scheme.startswith(("javascript:", "data:", "vbscript:")):
            self.findings.append(f"{name}={value!r} on <{tag}>")


def dangerous_markup(markup: str) -> list[str]:
    """What in `markup` could run script or restyle the page, found by parsing it."""
    auditor = _Auditor()
    auditor.feed(markup)
    auditor.close()
    return auditor.findings


def parse_tags(markup: str) -> list[tuple[str, dict[str, str]]]:
    """Every start tag of `markup` with its attributes, in order."""
    found: list[tuple[str, dict[str, str]]] = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            found.append((tag, {name: value or "" for name, value in attrs}))

        handle_startendtag = handle_starttag

    Collector().feed(markup)
    return found


def math_elements(markup: str) -> list[str]:
    """The `<math>` elements in `markup`, as XML (HTML's named &nbsp; made numeric)."""
    return [m.replace("&nbsp;", "&#160;") for m in MATH_ELEMENT.findall(markup)]


def annotations(markup: str) -> list[str]:
    """The TeX annotations of the formulas in `markup`, unescaped."""
    return [html.unescape(tex) for tex in ANNOTATION.findall(markup)]


def failed_formulas(markup: str) -> list[str]:
    """The sources shown in math-error spans, unescaped and without their dollars."""
    return [html.unescape(text).strip("$") for text in ERROR_SPAN.findall(markup)]

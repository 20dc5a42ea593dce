"""Finding executable markup in stored or rendered HTML by parsing it with lxml.html (never by string search).

A stored fragment is also read tag by tag (html.parser): lxml drops a stray <body> or <html> start tag, whose
attributes a browser adds to the page's own <body> / <html> (`<body onload=...>`), so a tree alone misses them.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

from lxml import etree
from lxml import html as lxml_html

# Elements that run script, load a document or plugin, submit data, restyle the page, or re-parse their content.
EXECUTABLE_ELEMENTS = frozenset(
    {"script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "form", "input", "button",
     "textarea", "select", "base", "meta", "link", "template", "noscript", "noembed", "noframes", "xmp",
     "plaintext", "svg", "annotation-xml", "maction"}
)
_BAD_SCHEMES = ("javascript:", "data:", "vbscript:")
# Attributes a browser (HTML, SVG, MathML, old IE) reads as a URL; any *href is one too.
URL_ATTRIBUTES = frozenset(
    {"src", "srcset", "action", "formaction", "background", "poster", "data", "codebase", "classid", "archive",
     "cite", "dynsrc", "lowsrc", "longdesc", "usemap", "manifest", "icon", "ping", "base", "to", "from", "values",
     "by"}
)
# What a browser drops from a URL before reading its scheme (and more: any whitespace or control character).
_IGNORED_IN_URL = re.compile(r"[\s\x00-\x20\x7f-\x9f\u200b-\u200f\u2028\u2029\ufeff]+")


def parse_fragment(markup: str) -> Any:
    """An HTML fragment as an lxml element (a <div> around it)."""
    return lxml_html.fragment_fromstring(markup, create_parent="div") if markup.strip() else lxml_html.Element("div")


def findings_in(root: Any) -> list[str]:
    """What under `root` (an lxml element, itself excluded) could run script or restyle the page."""
    found: list[str] = []
    for element in root.iterdescendants():
        if not isinstance(element.tag, str):  # comments and processing instructions run nothing
            continue
        tag = element.tag.lower()
        if tag in EXECUTABLE_ELEMENTS:
            found.append(f"<{tag}> element")
        for name, value in element.attrib.items():
            found.extend(_attribute_findings(tag, name.lower(), value))
    return found


def executable_markup(markup: str) -> list[str]:
    """What in an HTML fragment could run script or restyle the page: in its tree, or in any start tag."""
    found = findings_in(parse_fragment(markup))
    return found + [finding for finding in _start_tag_findings(markup) if finding not in found]


class _StartTags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in EXECUTABLE_ELEMENTS:
            self.found.append(f"<{tag}> element")
        for name, value in attrs:
            self.found.extend(_attribute_findings(tag, name, value or ""))


def _start_tag_findings(markup: str) -> list[str]:
    parser = _StartTags()
    parser.feed(markup)
    parser.close()
    return parser.found


def _attribute_findings(tag: str, name: str, value: str) -> list[str]:
    found = []
    local = name.rsplit(":", 1)[-1]
    if local.startswith("on"):
        found.append(f"event handler {name} on <{tag}>")
    if local in {"style", "srcdoc", "formaction"}:
        found.append(f"{name} attribute on <{tag}>")
    scheme = _IGNORED_IN_URL.sub("", value).casefold()
    if (local in URL_ATTRIBUTES or local.endswith("href")) and scheme.startswith(_BAD_SCHEMES):
        found.append(f"{name}={value!r} on <{tag}>")
    return found


def rendered_regions(page: str, xpath: str) -> list[Any]:
    """The elements of an HTML page matching `xpath` (the page parsed as a whole, as a browser would)."""
    document = lxml_html.document_fromstring(page)
    return list(document.xpath(xpath))


def serialise(element: Any) -> str:
    """An element as HTML, for failure messages."""
    return etree.tostring(element, method="html", encoding="unicode")

"""Plain text from rendered HTML, for excerpts and search; formulas come back as `$tex$`."""

import re
from html.parser import HTMLParser

_BLOCKS = frozenset(
    {"p", "div", "br", "li", "ul", "ol", "pre", "blockquote", "table", "tr", "td", "th", "hr",
     "h1", "h2", "h3", "h4", "h5", "h6", "section"}
)
_SKIPPED = frozenset({"script", "style", "template"})


def plain_text(html: str) -> str:
    """Strip the tags of `html`, keeping each formula's TeX as `$tex$` (or `$$tex$$`)."""
    parser = _TextCollector()
    parser.feed(html)
    parser.close()
    return parser.text()


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._parts: list[str] = []
        self._skip_depth = 0
        self._math_fence: str | None = None
        self._annotation: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCKS:
            self._parts.append("\n")
        if tag in _SKIPPED:
            self._skip_depth += 1
        elif tag == "math":
            self._math_fence = "$$" if dict(attrs).get("display") == "block" else "$"
        elif tag == "annotation" and self._math_fence:
            if dict(attrs).get("encoding") == "application/x-tex":
                self._annotation = []

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED and self._skip_depth:
            self._skip_depth -= 1
        elif tag == "annotation" and self._annotation is not None:
            tex = "".join(self._annotation)
            self._parts.append(f"{self._math_fence}{tex}{self._math_fence}")
            self._annotation = None
        elif tag == "math":
            self._math_fence = None
        if tag in _BLOCKS:
            self._parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._skip_depth:
            return
        if self._math_fence is None:
            self._parts.append(data)
        elif self._annotation is not None:
            self._annotation.append(data)

    def text(self) -> str:
        lines = (re.sub(r"[ \t\r\f\v]+", " ", line).strip() for line in "".join(self._parts).split("\n"))
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()

"""Reading what a page's <head> says: meta properties, links and JSON-LD."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any


@dataclass
class Head:
    """The metadata found in a page."""

    meta: dict[str, list[str]] = field(default_factory=dict)  # property or name → contents
    links: list[dict[str, str]] = field(default_factory=list)
    scripts: list[tuple[dict[str, str], str]] = field(default_factory=list)

    def first(self, key: str) -> str | None:
        """The first content given for a meta property or name."""
        return self.meta.get(key, [None])[0]

    def json_ld(self) -> list[dict[str, Any]]:
        """Every JSON-LD block, parsed."""
        return [json.loads(text) for attrs, text in self.scripts if attrs.get("type") == "application/ld+json"]

    def feeds(self) -> list[str]:
        """The addresses of the Atom feeds the page links to."""
        return [link["href"] for link in self.links if link.get("type") == "application/atom+xml"]

    def canonical(self) -> list[str]:
        """The canonical links."""
        return [link["href"] for link in self.links if link.get("rel") == "canonical"]


class _HeadParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.head = Head()
        self._script: tuple[dict[str, str], list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "meta" and ("property" in values or "name" in values):
            key = values.get("property") or values["name"]
            self.head.meta.setdefault(key, []).append(values.get("content", ""))
        elif tag == "link":
            self.head.links.append(values)
        elif tag == "script":
            self._script = (values, [])

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script[1].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            self.head.scripts.append((self._script[0], "".join(self._script[1])))
            self._script = None


def read_head(html: str) -> Head:
    """Parse a page as a browser would (scripts end at the first </script>)."""
    parser = _HeadParser()
    parser.feed(html)
    parser.close()
    return parser.head

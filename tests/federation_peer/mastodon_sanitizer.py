"""A model of the sanitiser Mastodon applies to a remote status's HTML before showing it.

Mastodon renders remote `content` through `HtmlAwareFormatter#reformat` → `Sanitize.fragment(html,
Sanitize::Config::MASTODON_STRICT)` (lib/sanitize_ext/sanitize_config.rb; reference §4 "Sanitiser"). This module
follows that code:

- Sanitize's traversal (preorder; a node that was unwrapped or replaced is followed by what took its place), the
  configured transformers in their order (class allow-list, `translate`, MATH_TRANSFORMER (4.4), headings,
  unsupported links), then Sanitize's CleanElement: elements off the allow-list are unwrapped (their text kept,
  with a space before and after for Sanitize's `whitespace_elements`), except `remove_contents` ones (iframe math
  noembed noframes noscript plaintext script style svg xmp), which go with their contents; attributes off the
  allow-list are dropped; `a` gets rel="nofollow noopener" and target="_blank".
- Allowed elements: 4.2 `p br span a del pre blockquote code b strong u i em ul ol li`; 4.3/4.4 add `s ruby rt rp`.
- Headings h1–h6 become `<p><strong>…</strong></p>` (UNSUPPORTED_ELEMENTS_TRANSFORMER).
- Links whose scheme is not in LINK_PROTOCOLS (relative links included) become their text.
- MathML (4.4, FEP-dc88): `<math><semantics>…<annotation encoding="application/x-tex">TeX</annotation>` becomes
  the text `$TeX$`, or `$$TeX$$` for display="block"; else a `text/plain` annotation's text; else (and always in
  4.2/4.3) the formula disappears with its contents.

The HTML parser is the standard library's with HTML5's implied `</p>` and `</li>` ends (Mastodon uses Nokogiri's
HTML5 parser); that is enough for the well-formed HTML servers send.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from collections.abc import Callable
from html.parser import HTMLParser

LINK_PROTOCOLS = frozenset({"http", "https", "dat", "dweb", "ipfs", "ipns", "ssb", "gopher", "xmpp", "magnet",
                            "gemini"})
ELEMENTS_42 = frozenset({"p", "br", "span", "a", "del", "pre", "blockquote", "code", "b", "strong", "u", "i", "em",
                         "ul", "ol", "li"})
ELEMENTS_43 = ELEMENTS_42 | {"s", "ruby", "rt", "rp"}
ATTRIBUTES = {"a": {"href", "rel", "class", "translate"}, "span": {"class", "translate"},
              "ol": {"start", "reversed"}, "li": {"value"}, "p": {"class"}}
ALL_ATTRIBUTES = {"lang"}
ADD_ATTRIBUTES = {"a": {"rel": "nofollow noopener", "target": "_blank"}}
REMOVE_CONTENTS = frozenset({"iframe", "math", "noembed", "noframes", "noscript", "plaintext", "script", "style",
                             "svg", "xmp"})
WHITESPACE_ELEMENTS = frozenset({"address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "footer",
                                 "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "li", "nav", "ol", "p",
                                 "pre", "section", "ul"})
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
                  "wbr"})
CLOSES_P = frozenset({"address", "article", "aside", "blockquote", "details", "div", "dl", "fieldset", "figcaption",
                      "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "main",
                      "menu", "nav", "ol", "p", "pre", "section", "table", "ul"})
REGEX_PROTOCOL = re.compile(r"\A\s*([^/#]*?)(?::|&#0*58|&#x0*3a)", re.I)
_KEPT_CLASS = re.compile(r"^((h|p|u|dt|e)-.*|mention|hashtag|ellipsis|invisible)$")
VERSIONS = ("4.2", "4.3", "4.4")


# A small DOM -----------------------------------------------------------------------------------------------------


@dataclass(eq=False)
class Node:
    """A text node (name None) or an element, with its parent."""

    name: str | None = None
    attrs: dict[str, str] = field(default_factory=dict)
    children: list["Node"] = field(default_factory=list)
    text: str = ""
    parent: "Node | None" = None

    @property
    def is_element(self) -> bool:
        """True for elements, False for text."""
        return self.name is not None

    def append(self, child: "Node") -> None:
        """Add a child at the end."""
        child.parent = self
        self.children.append(child)

    def index(self) -> int:
        """This node's position among its parent's children."""
        assert self.parent is not None
        return next(i for i, sibling in enumerate(self.parent.children) if sibling is self)

    def insert_before(self, *nodes: "Node") -> None:
        """Put nodes just before this one."""
        assert self.parent is not None
        at = self.index()
        for offset, node in enumerate(nodes):
            if node.parent is not None:
                node.unlink()
            node.parent = self.parent
            self.parent.children.insert(at + offset, node)

    def insert_after(self, node: "Node") -> None:
        """Put a node just after this one."""
        assert self.parent is not None
        node.parent = self.parent
        self.parent.children.insert(self.index() + 1, node)

    def unlink(self) -> None:
        """Take this node out of the tree (it keeps its children)."""
        if self.parent is not None:
            self.parent.children.pop(self.index())
            self.parent = None

    def replace_with(self, node: "Node") -> None:
        """Put `node` where this one is."""
        self.insert_before(node)
        self.unlink()

    def all_text(self) -> str:
        """The text of this node and everything under it (Nokogiri's `text`)."""
        if not self.is_element:
            return self.text
        return "".join(child.all_text() for child in self.children)

    def element_children(self) -> list["Node"]:
        """The element children."""
        return [child for child in self.children if child.is_element]


def text_node(text: str) -> Node:
    """A new text node."""
    return Node(text=text)


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node(name="#fragment")
        self.open: list[Node] = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in CLOSES_P and self._in_open("p"):
            self._close("p")
        if tag == "li" and self._in_open("li"):
            self._close("li")
        element = Node(name=tag, attrs={name: value or "" for name, value in attrs})
        self.open[-1].append(element)
        if tag not in VOID:
            self.open.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID and self.open[-1].name == tag:
            self.open.pop()

    def handle_endtag(self, tag: str) -> None:
        if tag == "br":  # HTML5 reads a stray </br> as <br>
            self.open[-1].append(Node(name="br"))
        elif self._in_open(tag):
            self._close(tag)

    def handle_data(self, data: str) -> None:
        self.open[-1].append(text_node(data))

    def _in_open(self, tag: str) -> bool:
        return any(node.name == tag for node in self.open[1:])

    def _close(self, tag: str) -> None:
        while self.open[-1].name != tag:
            self.open.pop()
        self.open.pop()


def parse_fragment(markup: str) -> Node:
    """An HTML fragment as a tree under a `#fragment` root (comments dropped, as Sanitize drops them)."""
    builder = _TreeBuilder()
    builder.feed(markup)
    builder.close()
    return builder.root


# Sanitize's traversal and Mastodon's transformers ----------------------------------------------------------------


def _sibling(node: Node, step: int) -> Node | None:
    """The previous (step -1) or next (step +1) sibling, or None."""
    if node.parent is None:
        return None
    at = node.index() + step
    siblings = node.parent.children
    return siblings[at] if 0 <= at < len(siblings) else None


def _traverse(node: Node, visit: Callable[[Node], None]) -> None:
    """Sanitize#traverse: visit the node, then its children; a child that was unlinked or moved is followed by its
    previous sibling's next sibling (or the first child), so that what replaced it is visited too."""
    visit(node)
    child = node.children[0] if node.children else None
    while child is not None:
        previous = _sibling(child, -1)
        _traverse(child, visit)
        if child.parent is node:
            child = _sibling(child, 1)
        elif previous is not None:
            child = _sibling(previous, 1)
        else:
            child = node.children[0] if node.children else None


class _Sanitizer:
    def __init__(self, version: str) -> None:
        if version not in VERSIONS:
            raise ValueError(f"unknown Mastodon version {version!r}; one of {VERSIONS}")
        self.version = version
        self.elements = ELEMENTS_42 if version == "4.2" else ELEMENTS_43

    def visit(self, node: Node) -> None:
        for transformer in (self.allowed_class, self.translate, self.math, self.unsupported_element,
                            self.unsupported_href, self.clean_element):
            if not node.is_element or node.parent is None:
                return
            transformer(node)

    def allowed_class(self, node: Node) -> None:
        if "class" in node.attrs:
            kept = [name for name in re.split(r"[\t\n\f\r ]", node.attrs["class"])
                    if _KEPT_CLASS.match(name) or (self.version == "4.4" and name == "quote-inline")]
            node.attrs["class"] = " ".join(kept)

    def translate(self, node: Node) -> None:
        if "translate" in node.attrs and node.attrs["translate"] != "no":
            del node.attrs["translate"]

    def math(self, node: Node) -> None:
        """MATH_TRANSFORMER (Mastodon 4.4 only)."""
        if self.version != "4.4" or node.name != "math":
            return
        elements = node.element_children()
        semantics = elements[0] if elements else None
        if semantics is None or semantics.name != "semantics":
            return
        for encoding, template in (("application/x-tex", None), ("text/plain", "{}")):
            annotation = next((child for child in semantics.children
                               if child.name == "annotation" and child.attrs.get("encoding") == encoding), None)
            if annotation is None:
                continue
            tex = annotation.all_text()
            if template is None:
                template = "$${}$$" if node.attrs.get("display") == "block" else "${}$"
            node.replace_with(text_node(template.format(tex)))
            return

    def unsupported_element(self, node: Node) -> None:
        """Headings become <p><strong>."""
        if node.name in HEADINGS:
            node.name = "strong"
            wrapper = Node(name="p")
            node.insert_before(wrapper)
            node.unlink()
            wrapper.append(node)

    def unsupported_href(self, node: Node) -> None:
        if node.name != "a":
            return
        match = REGEX_PROTOCOL.match(node.attrs.get("href", "")) if "href" in node.attrs else None
        scheme = match.group(1).lower() if match else None
        if scheme not in LINK_PROTOCOLS:
            node.replace_with(text_node(node.all_text()))

    def clean_element(self, node: Node) -> None:
        """Sanitize's CleanElement."""
        name = node.name or ""
        if name not in self.elements:
            if name in WHITESPACE_ELEMENTS:
                node.insert_before(text_node(" "))
                if node.children:
                    node.insert_after(text_node(" "))
            if name not in REMOVE_CONTENTS:
                node.insert_before(*list(node.children))
            node.unlink()
            return
        allowed = ATTRIBUTES.get(name, set()) | ALL_ATTRIBUTES
        node.attrs = {key: value for key, value in node.attrs.items() if key.lower() in allowed}
        node.attrs.update(ADD_ATTRIBUTES.get(name, {}))


def sanitize_tree(markup: str, version: str = "4.4") -> Node:
    """The sanitised tree of a remote status's HTML, as Mastodon `version` (4.2, 4.3 or 4.4) would show it."""
    root = parse_fragment(markup)
    _traverse(root, _Sanitizer(version).visit)
    return root


def sanitize(markup: str, version: str = "4.4") -> str:
    """The sanitised HTML."""
    return serialize(sanitize_tree(markup, version))


def serialize(node: Node) -> str:
    """HTML of a node's children (or of a text node)."""
    if not node.is_element:
        return html.escape(node.text, quote=False)
    inner = "".join(_serialize_node(child) for child in node.children)
    return inner


def _serialize_node(node: Node) -> str:
    if not node.is_element:
        return html.escape(node.text, quote=False)
    attrs = "".join(f' {key}="{html.escape(value, quote=True)}"' for key, value in node.attrs.items())
    if node.name in VOID:
        return f"<{node.name}{attrs}>"
    return f"<{node.name}{attrs}>{serialize(node)}</{node.name}>"


# What a reader sees -----------------------------------------------------------------------------------------------

_BLOCKS = frozenset({"p", "pre", "blockquote", "ul", "ol", "li"})


def visible_text(sanitized_html: str) -> str:
    """The text a Mastodon reader sees: blocks and <br> on their own lines, whitespace runs collapsed."""
    parts: list[str] = []

    def walk(node: Node) -> None:
        for child in node.children:
            if not child.is_element:
                parts.append(child.text)
            elif child.name == "br":
                parts.append("\n")
            else:
                block = child.name in _BLOCKS
                parts.append("\n" if block else "")
                walk(child)
                parts.append("\n" if block else "")

    walk(parse_fragment(sanitized_html))
    lines = (" ".join(line.split()) for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


def normalized(text: str) -> str:
    """Whitespace runs (line ends included) as one space, for containment checks."""
    return " ".join(text.split())

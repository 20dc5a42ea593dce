"""HTML sanitisers (nh3 allow-lists): one for our own rendered Markdown, a stricter one for remote HTML."""

import re
from collections.abc import Callable

import nh3

from .mathml_vocab import MATHML_ATTRIBUTES, MATHML_ELEMENTS, MATHML_NS, TEX_ENCODING

LINK_REL = "nofollow noopener noreferrer"
# Elements whose content goes too, not only the tag.
_DROP_WITH_CONTENT = frozenset(
    {"script", "style", "iframe", "frame", "frameset", "noscript", "noembed", "noframes", "object",
     "embed", "applet", "template", "svg", "form", "textarea", "select", "button", "xmp", "plaintext"}
)
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_LOCAL_TAGS = frozenset(
    {"p", "br", "hr", "span", "a", "em", "strong", "b", "i", "u", "s", "del", "ins", "sub", "sup",
     "code", "pre", "kbd", "blockquote", "ul", "ol", "li", "dl", "dt", "dd", "table", "thead",
     "tbody", "tr", "th", "td", "section"} | _HEADINGS
)
_LOCAL_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "title", "id", "class"}, "img": {"src", "alt", "title"}, "span": {"class", "title"},
    "code": {"class"}, "sup": {"id", "class"}, "li": {"id", "class"}, "ol": {"start", "class"},
    "section": {"class"}, "hr": {"class"},
}
_LOCAL_CLASSES: dict[str, re.Pattern[str]] = {
    "span": re.compile(r"math-error"), "code": re.compile(r"language-[\w+#.-]{1,40}"),
    "sup": re.compile(r"footnote-ref"), "a": re.compile(r"footnote-backref"),
    "section": re.compile(r"footnotes"), "ol": re.compile(r"footnotes-list"),
    "li": re.compile(r"footnote-item"), "hr": re.compile(r"footnotes-sep"),
}
_FOOTNOTE_ID = re.compile(r"fn(?:ref)?(?:-[\w-]{1,64}-)?\d{1,4}(?::\d{1,4})?")
# What Mastodon keeps (lib/sanitize_ext/sanitize_config.rb, MASTODON_STRICT), plus MathML.
_REMOTE_TAGS = frozenset(
    {"p", "br", "span", "a", "del", "s", "pre", "blockquote", "code", "b", "strong", "u", "i", "em",
     "ul", "ol", "li"}
)
_REMOTE_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "class"}, "span": {"class"}, "p": {"class"}, "ol": {"start", "reversed"}, "li": {"value"},
}
_REMOTE_CLASS = re.compile(r"(?:h|p|u|dt|e)-[\w-]+|mention|hashtag|ellipsis|invisible|quote-inline")
_HEADING_TAG = re.compile(r"<(/?)h[1-6](?=[\s/>])[^>]*>", re.IGNORECASE)
_SCRIPT_SCHEMES = ("javascript:", "data:", "vbscript:")
# Whitespace, control and invisible format characters, wherever they are in a URL: ammonia reads a URL that
# starts with one (U+2028, U+FEFF ...) as relative and passes it through; no browser runs such a URL, but
# nothing legitimate looks like one either, so it goes.
_URL_NOISE = re.compile(r"[\s\x00-\x20\x7f-\x9f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]+")


def sanitize_html(html: str, *, allow_images: bool = True) -> str:
    """Keep only safe markup of our own rendered Markdown (with MathML) from `html`."""
    tags = _LOCAL_TAGS | MATHML_ELEMENTS | ({"img"} if allow_images else set())
    return _clean(html, tags, _LOCAL_ATTRIBUTES, _local_filter, {"http", "https", "mailto"}, "pass_through")


def sanitize_remote_html(html: str) -> str:
    """Keep only what Mastodon keeps (plus MathML) from HTML that another server sent us."""
    # Mastodon shows headings as bold paragraphs; doing the same keeps their text apart.
    html = _HEADING_TAG.sub(lambda m: "</strong></p>" if m.group(1) else "<p><strong>", html)
    return _clean(html, _REMOTE_TAGS | MATHML_ELEMENTS, _REMOTE_ATTRIBUTES, _remote_filter,
                  {"http", "https"}, "deny")


def _clean(
    html: str,
    tags: frozenset[str] | set[str],
    attributes: dict[str, set[str]],
    attribute_filter: Callable[[str, str, str], str | None],
    schemes: set[str],
    relative: str,
) -> str:
    allowed = {tag: set(attributes.get(tag, ())) for tag in tags if tag not in MATHML_ELEMENTS}
    allowed.update({tag: set(MATHML_ATTRIBUTES) for tag in MATHML_ELEMENTS})
    allowed["math"] = set()
    allowed["annotation"] = set()
    return nh3.clean(
        html,
        tags=set(tags),
        clean_content_tags=set(_DROP_WITH_CONTENT),
        attributes=allowed,
        attribute_filter=attribute_filter,
        link_rel=LINK_REL,
        url_schemes=schemes,
        url_relative=relative,
        tag_attribute_values={
            "math": {"display": {"block", "inline"}, "xmlns": {MATHML_NS}},
            "annotation": {"encoding": {TEX_ENCODING, "text/plain"}},
            "th": {"align": {"left", "center", "right"}},
            "td": {"align": {"left", "center", "right"}},
        },
        strip_comments=True,
    )


def _local_filter(tag: str, attribute: str, value: str) -> str | None:
    if attribute == "class":
        pattern = _LOCAL_CLASSES.get(tag)
        return _keep_classes(value, pattern) if pattern else None
    if attribute == "id":
        return value if _FOOTNOTE_ID.fullmatch(value) else None
    if tag == "img" and attribute == "src":
        return value if value.lower().startswith(("https://", "http://")) else None
    if attribute == "href" and _hides_script_scheme(value):
        return None
    return value


def _remote_filter(tag: str, attribute: str, value: str) -> str | None:
    if attribute == "class":
        return _keep_classes(value, _REMOTE_CLASS)
    return value


def _hides_script_scheme(url: str) -> bool:
    return _URL_NOISE.sub("", url).casefold().startswith(_SCRIPT_SCHEMES)


def _keep_classes(value: str, pattern: re.Pattern[str]) -> str | None:
    kept = [name for name in value.split() if pattern.fullmatch(name)]
    return " ".join(kept) or None

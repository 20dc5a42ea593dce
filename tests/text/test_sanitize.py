"""sanitize_html / sanitize_remote_html: XSS payloads neutralised (checked by parsing), MathML kept."""

import pytest
from tests.text.text_html_checks import dangerous_markup, parse_tags

from fediscience.text import sanitize_html, sanitize_remote_html, tex_to_mathml

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    '<img src="javascript:alert(1)">',
    "<img src=\"data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=\">",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="  JaVaScRiPt:alert(1)">x</a>',
    '<a href="java&#x09;script:alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    "<svg onload=alert(1)><circle r=1 /></svg>",
    "<svg><script>alert(1)</script></svg>",
    "<math><mtext><script>alert(1)</script></mtext></math>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>",
    '<math><mi xlink:href="javascript:alert(1)" href="javascript:alert(1)">x</mi></math>',
    "<math><maction actiontype=statusline onclick=alert(1)><mi>x</mi></maction></math>",
    '<p style="background:url(javascript:alert(1))">x</p>',
    '<span style="position:fixed;top:0">x</span>',
    "<style>body{display:none}</style>",
    '<iframe src="https://evil.example"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<form action="https://evil.example"><input name=a><button>go</button></form>',
    '<object data="evil.swf"></object><embed src="evil.swf">',
    '<div onmouseover="alert(1)">x</div>',
    '<body onload=alert(1)>',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    "<template><script>alert(1)</script></template>",
    '<details open ontoggle=alert(1)>',
    '<a href="https://ok.example" onclick="alert(1)" style="color:red">ok</a>',
    "<!--<img src=x onerror=alert(1)>-->",
]


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
@pytest.mark.parametrize("allow_images", [True, False])
def test_local_sanitizer_neutralises_xss(payload: str, allow_images: bool) -> None:
    assert dangerous_markup(sanitize_html(payload, allow_images=allow_images)) == []


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_remote_sanitizer_neutralises_xss(payload: str) -> None:
    assert dangerous_markup(sanitize_remote_html(payload)) == []


def test_payload_auditor_detects_what_it_should() -> None:
    # The auditor itself must see raw payloads as dangerous, or the tests above prove nothing.
    assert all(dangerous_markup(p) for p in XSS_PAYLOADS if not p.startswith(("<!--", "<noscript", "<template")))


def test_mathml_survives_both_sanitizers() -> None:
    xml = tex_to_mathml(r"\hat{x}_i^2 \leq \sqrt[3]{y} \quad \begin{pmatrix} a & b \end{pmatrix}", True)
    assert sanitize_html(xml) == xml
    assert sanitize_remote_html(xml) == xml


def test_safe_markup_is_kept() -> None:
    html = '<p><strong>b</strong> <a href="/papers/doi/10.1/x">p</a> <a href="mailto:a@b.example">m</a></p>'
    assert [attrs.get("href") for tag, attrs in parse_tags(sanitize_html(html)) if tag == "a"] == [
        "/papers/doi/10.1/x", "mailto:a@b.example"]


def test_images_only_when_allowed_and_only_http() -> None:
    html = '<img src="https://x.example/a.png" alt="a"><img src="/relative.png"><img src="ftp://x/a.png">'
    kept = [attrs.get("src") for tag, attrs in parse_tags(sanitize_html(html)) if tag == "img"]
    assert kept == ["https://x.example/a.png", None, None]
    assert [tag for tag, _ in parse_tags(sanitize_html(html, allow_images=False))] == []


def test_classes_are_allow_listed() -> None:
    html = '<span class="math-error evil">x</span><code class="language-py hl">c</code><p class="x">p</p>'
    assert parse_tags(sanitize_html(html)) == [
        ("span", {"class": "math-error"}), ("code", {"class": "language-py"}), ("p", {})]


def test_ids_only_for_footnotes() -> None:
    html = '<li id="fn1">a</li><li id="login-form">b</li>'
    assert parse_tags(sanitize_html(html)) == [("li", {"id": "fn1"}), ("li", {})]


def test_remote_allow_list_is_mastodons() -> None:
    html = (
        '<h2>T</h2><p class="h-entry foo">a <img src="https://x.example/a.png">'
        '<a href="https://x.example/@u" class="u-url mention">@u</a><a href="/local">rel</a><sup>2</sup></p>'
        "<table><tr><td>t</td></tr></table>"
    )
    tags = parse_tags(sanitize_remote_html(html))
    assert [tag for tag, _ in tags] == ["p", "strong", "p", "a", "a"]
    assert tags[2] == ("p", {"class": "h-entry"})
    assert tags[3][1] == {"href": "https://x.example/@u", "class": "u-url mention", "rel": "nofollow noopener noreferrer"}
    assert "href" not in tags[4][1]


def test_remote_sanitizer_drops_local_only_markup() -> None:
    html = '<span class="math-error">x</span><code class="language-py">c</code><li id="fn1">f</li>'
    assert parse_tags(sanitize_remote_html(html)) == [("span", {}), ("code", {}), ("li", {})]

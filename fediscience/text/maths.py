"""LaTeX formulas to FEP-dc88 MathML (presentation MathML plus the TeX source as annotation)."""

import html
import re
import xml.etree.ElementTree as ET
from functools import lru_cache

from latex2mathml.converter import convert_to_element

from .errors import MathError
from .mathml_check import validate_mathml
from .mathml_vocab import MATHML_NS, TEX_ENCODING
from .tex_check import check_tex, check_tex_size
from .tex_macros import macro_preamble
from .tex_normalise import normalise_tex

_TEXT_ESCAPE = re.compile(r"\\([&%$#_{}])")

ERROR_TITLE = "Could not render this formula"


def tex_to_mathml(tex: str, display: bool) -> str:
    """Convert one formula to `<math>` MathML carrying its TeX; raise MathError if it cannot."""
    return _convert(tex.strip(), bool(display))


def formula_html(tex: str, display: bool) -> str:
    """MathML for `tex`, or its source in a visibly marked span when it does not convert."""
    try:
        return tex_to_mathml(tex, display)
    except MathError:
        return math_error_span(tex, display)


def math_error_span(tex: str, display: bool) -> str:
    """The escaped `$source$` (or `$$source$$`) in a span marked as a formula that failed."""
    fence = "$$" if display else "$"
    source = html.escape(f"{fence}{tex.strip()}{fence}")
    return f'<span class="math-error" title="{ERROR_TITLE}">{source}</span>'


@lru_cache(maxsize=4096)
def _convert(tex: str, display: bool) -> str:
    check_tex_size(tex)
    normalised = normalise_tex(tex)
    check_tex(normalised)
    try:
        converted = convert_to_element(macro_preamble(normalised) + normalised,
                                       display="block" if display else "inline")
        xml = _wrap(converted, tex, display)
    except RecursionError:
        raise MathError("formula nested too deeply") from None
    except Exception as exc:  # latex2mathml raises many kinds of errors on bad input
        raise MathError(f"latex2mathml failed: {type(exc).__name__}") from exc
    validate_mathml(xml, tex)
    return xml


def _wrap(converted: ET.Element, tex: str, display: bool) -> str:
    math = ET.Element("math", {"xmlns": MATHML_NS, "display": "block" if display else "inline"})
    semantics = ET.SubElement(math, "semantics")
    semantics.extend(list(converted))
    annotation = ET.SubElement(semantics, "annotation", {"encoding": TEX_ENCODING})
    annotation.text = tex
    for element in semantics.iter():
        if element is not annotation and element.text:
            element.text = _decode_text(element)
    return ET.tostring(math, encoding="unicode", short_empty_elements=False)


def _decode_text(element: ET.Element) -> str:
    # latex2mathml stores characters as entity strings like "&#x003B1;", and copies \text{} verbatim.
    text = html.unescape(element.text or "")
    return _TEXT_ESCAPE.sub(r"\1", text) if element.tag == "mtext" else text

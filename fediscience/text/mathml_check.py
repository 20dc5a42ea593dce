"""Structural checks on the MathML we produce, so that converter junk never reaches a page."""

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator

from .errors import MathError
from .mathml_vocab import ARITY, MATHML_ELEMENTS, MATHML_NS, TEX_ENCODING, TOKEN_ELEMENTS

LITERAL_COMMAND = re.compile(r"\\[A-Za-z]+")
_NS_PREFIX = "{" + MATHML_NS + "}"


def mathml_problems(xml: str, tex: str | None = None) -> list[str]:
    """List what is wrong with one FEP-dc88 `<math>` element (empty when it is valid)."""
    try:
        root = ET.fromstring(xml)
    except ET.ParseError as exc:
        return [f"not well-formed: {exc}"]
    problems = list(_envelope_problems(root, tex))
    for element in root.iter():
        problems.extend(_element_problems(element))
    return problems


def validate_mathml(xml: str, tex: str | None = None) -> None:
    """Raise MathError unless `xml` is a valid FEP-dc88 `<math>` element (for `tex`, if given)."""
    problems = mathml_problems(xml, tex)
    if problems:
        raise MathError("; ".join(problems[:3]))


def local_name(element: ET.Element) -> str:
    """The tag of `element` without its MathML namespace (foreign tags keep their `{ns}`)."""
    tag = element.tag
    return tag[len(_NS_PREFIX):] if isinstance(tag, str) and tag.startswith(_NS_PREFIX) else str(tag)


def _envelope_problems(root: ET.Element, tex: str | None) -> Iterator[str]:
    if local_name(root) != "math":
        yield f"root is <{local_name(root)}>, not <math>"
        return
    if root.get("display") not in ("block", "inline"):
        yield "display is neither block nor inline"
    children = list(root)
    if len(children) != 1 or local_name(children[0]) != "semantics":
        yield "<math> must hold exactly one <semantics>"
        return
    parts = list(children[0])
    if len(parts) != 2 or local_name(parts[1]) != "annotation":
        yield "<semantics> must hold one presentation element and one <annotation>"
        return
    annotation = parts[1]
    if annotation.get("encoding") != TEX_ENCODING:
        yield "annotation is not application/x-tex"
    if tex is not None and (annotation.text or "") != tex:
        yield "annotation does not carry the TeX source"


def _element_problems(element: ET.Element) -> Iterator[str]:
    name = local_name(element)
    if name not in MATHML_ELEMENTS:
        yield f"unknown element <{name}>"
    if name == "merror":
        yield "converter produced <merror>"
    expected = ARITY.get(name)
    if expected is not None and len(element) != expected:
        yield f"<{name}> has {len(element)} children, needs {expected}"
    if name in TOKEN_ELEMENTS and len(element):
        yield f"token element <{name}> has element children"
    yield from _container_problems(element, name)
    if name != "annotation" and LITERAL_COMMAND.search(element.text or ""):
        yield f"literal command {element.text!r} in <{name}>"
    if (element.tail or "").strip():
        yield f"stray text {element.tail!r} after <{name}>"


def _container_problems(element: ET.Element, name: str) -> Iterator[str]:
    allowed = {"mtable": ("mtr", "mlabeledtr"), "mtr": ("mtd",), "mlabeledtr": ("mtd",)}.get(name)
    if allowed and any(local_name(child) not in allowed for child in element):
        yield f"<{name}> holds something other than {'/'.join(allowed)}"

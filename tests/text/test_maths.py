"""tex_to_mathml: FEP-dc88 output, dump artefacts repaired, invalid formulas rejected, never a crash."""

import random
import time
import xml.etree.ElementTree as ET

import pytest

from fediscience.text import MathError, tex_to_mathml
from fediscience.text.mathml_check import mathml_problems
from fediscience.text.maths import formula_html

NS = "{http://www.w3.org/1998/Math/MathML}"


def parse(xml: str) -> ET.Element:
    return ET.fromstring(xml)


def texts(xml: str) -> list[str]:
    root = parse(xml)
    semantics = root.find(f"{NS}semantics")
    assert semantics is not None
    return [el.text for el in semantics[0].iter() if el.text]


@pytest.mark.parametrize(("display", "expected"), [(False, "inline"), (True, "block")])
def test_fep_dc88_envelope(display: bool, expected: str) -> None:
    xml = tex_to_mathml(r"x_1 < \frac{a}{b}", display)
    root = parse(xml)
    assert root.tag == f"{NS}math" and root.get("display") == expected
    semantics = root.find(f"{NS}semantics")
    assert semantics is not None and [child.tag for child in semantics] == [f"{NS}mrow", f"{NS}annotation"]
    assert semantics[1].get("encoding") == "application/x-tex"
    assert semantics[1].text == r"x_1 < \frac{a}{b}"
    assert "&lt;" in xml and mathml_problems(xml, r"x_1 < \frac{a}{b}") == []


def test_annotation_is_html_escaped() -> None:
    xml = tex_to_mathml(r"a < b > c \text{ \& }", False)
    assert '<annotation encoding="application/x-tex">a &lt; b &gt; c \\text{ \\&amp; }</annotation>' in xml
    assert "<mtext>\xa0&amp;\xa0</mtext>" in xml


@pytest.mark.parametrize(
    ("tex", "expected_text"),
    [
        (r"\mathbb{R}^{128}", "ℝ"),
        (r"{\bf x}_1", "x"),
        (r"\operatorname{sgn}(x)", "sgn"),
        (r"\text{precision}", "precision"),
        (r"\mbox{loss}", "loss"),
        (r"\mathcal{L}", "ℒ"),
        (r"x^\top", "⊤"),
        (r"\|r\|_2", "‖"),
        (r"\left[ x \right]", "["),
        (r"\underbrace{W}_{m \times r}", "⏟"),
        (r"\arg\min_r f", "arg\u2009min"),
        (r"\E_x[f]", "𝔼"),
        (r"\R^n", "ℝ"),
        (r"\Var(x)", "Var"),
        (r"\abs{x}", "|"),
        (r"\text{beam\_length}", "beam_length"),
        (r"a\_b", "a"),
        (r"50%", "%"),
        (r"a &lt; b", "<"),
    ],
)
def test_common_commands_and_dump_artefacts_convert(tex: str, expected_text: str) -> None:
    xml = tex_to_mathml(tex, False)
    assert mathml_problems(xml, tex) == []
    assert any(expected_text in text for text in texts(xml))


def test_doubled_row_breaks_in_arrays_are_row_breaks() -> None:
    for breaks in ("\\\\\\\\", "\\\\\\", "\\\\"):
        tex = rf"\left[\begin{{array}}{{c c}} 1 & 2 {breaks} 3 & 4 \end{{array}}\right]"
        root = parse(tex_to_mathml(tex, True))
        assert len(root.findall(f".//{NS}mtr")) == 2, breaks
        assert len(root.findall(f".//{NS}mtd")) == 4, breaks


def test_escaped_underscore_is_a_subscript() -> None:
    assert parse(tex_to_mathml(r"x\_i", False)).find(f".//{NS}msub") is not None


def test_unsupported_environments_are_renamed() -> None:
    root = parse(tex_to_mathml(r"\begin{aligned} a &= b \\ c &= d \end{aligned}", True))
    assert len(root.findall(f".//{NS}mtr")) == 2


@pytest.mark.parametrize(
    "tex",
    [
        r"\foo x", r"\arg\min_r \r\_2", r"\frac{a}", r"x^", r"a_b_c", "{x", "x}", r"\left( x",
        r"x \right)", r"\begin{foo} x \end{foo}", r"\begin{array}{c} x", r"\end{array}", r"\sqrt",
        r"\limits", "", "   ", "a & b", r"\newcommand{\x}{\x\x}\x", r"\def\x{y}",
        r"\text{\alpha}",
    ],
)
def test_invalid_formulas_fail(tex: str) -> None:
    with pytest.raises(MathError):
        tex_to_mathml(tex, False)


def test_failed_formula_renders_escaped_source_in_marked_span() -> None:
    assert formula_html(r"\foo<b>", True) == (
        '<span class="math-error" title="Could not render this formula">$$\\foo&lt;b&gt;$$</span>'
    )
    assert formula_html("x", False).startswith("<math")


@pytest.mark.parametrize(
    "tex",
    [
        "{" * 3000 + "}" * 3000,
        r"\sqrt" * 2000 + "x",
        "x^{" * 500 + "1" + "}" * 500,
        r"\frac" * 1500 + "ab" * 1500,
        "x" * 6000,
        r"\left(" * 800 + r"\right)" * 800,
        "\x00\x01<script>",
        "\\",
        "$",
    ],
)
def test_pathological_input_fails_quickly_without_raising_anything_else(tex: str) -> None:
    started = time.perf_counter()
    try:
        xml = tex_to_mathml(tex, True)
    except MathError:
        xml = None
    assert time.perf_counter() - started < 2
    assert xml is None or mathml_problems(xml, tex.strip()) == []


def test_random_fuzz_never_raises_unexpected_errors() -> None:
    alphabet = list("{}[]()^_&$%#\\ab1 ") + [r"\frac", r"\left", r"\right", r"\begin{array}{c}",
                                             r"\end{array}", r"\text{", r"\sqrt", r"\\", r"\alpha"]
    rng = random.Random(20240611)
    converted = 0
    for _ in range(1500):
        tex = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 25)))
        try:
            xml = tex_to_mathml(tex, rng.random() < 0.5)
        except MathError:
            continue
        converted += 1
        assert mathml_problems(xml, tex.strip()) == [], tex
    assert converted > 0


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("<msub><mi>x</mi></msub>", "<msub> has 1 children"),
        (r"<mi>\foo</mi>", "literal command"),
        ("<mfoo>x</mfoo>", "unknown element <mfoo>"),
        ("<mtable><mi>x</mi></mtable>", "<mtable> holds"),
        ("<mi>x</mi>junk", "stray text"),
        ("<merror><mtext>x</mtext></merror>", "<merror>"),
    ],
)
def test_validator_rejects_converter_junk(body: str, problem: str) -> None:
    xml = (
        f'<math xmlns="http://www.w3.org/1998/Math/MathML" display="inline"><semantics><mrow>{body}</mrow>'
        '<annotation encoding="application/x-tex">x</annotation></semantics></math>'
    )
    assert any(problem in found for found in mathml_problems(xml))


def test_validator_rejects_missing_annotation_and_bad_xml() -> None:
    bare = '<math xmlns="http://www.w3.org/1998/Math/MathML" display="inline"><mrow><mi>x</mi></mrow></math>'
    assert mathml_problems(bare) != []
    assert mathml_problems("<math><mi>x</mi>") != []
    assert mathml_problems(tex_to_mathml("x", False), "y") == ["annotation does not carry the TeX source"]

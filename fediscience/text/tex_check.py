"""Cheap checks that reject TeX latex2mathml would mis-render silently, or chew on for too long."""

import re

from .errors import MathError

MAX_TEX_LENGTH = 5000
MAX_GROUP_DEPTH = 50
# Environments latex2mathml renders as tables (after tex_normalise's renaming).
KNOWN_ENVIRONMENTS = frozenset(
    {"array", "matrix", "pmatrix", "bmatrix", "Bmatrix", "vmatrix", "Vmatrix", "smallmatrix",
     "cases", "align", "align*", "split"}
)
# User macro definitions can expand exponentially; the macro table covers the common needs.
_FORBIDDEN = re.compile(
    r"\\(?:newcommand|renewcommand|providecommand|def|let|DeclareMathOperator)(?![A-Za-z])"
)
_ENV = re.compile(r"\\(begin|end)\s*\{([^{}]*)\}")
_LEFT_RIGHT = re.compile(r"\\(left|right)(?![A-Za-z])")
_BARE_AMPERSAND = re.compile(r"(?<!\\)&")


def check_tex_size(tex: str) -> None:
    """Raise MathError when `tex` is empty or too long to be worth converting."""
    if not tex.strip():
        raise MathError("empty formula")
    if len(tex) > MAX_TEX_LENGTH:
        raise MathError(f"formula longer than {MAX_TEX_LENGTH} characters")


def check_tex(tex: str) -> None:
    """Raise MathError when `tex` is empty, too big, unbalanced or uses unsupported constructs."""
    check_tex_size(tex)
    if _FORBIDDEN.search(tex):
        raise MathError("macro definitions are not supported")
    _check_braces(tex)
    _check_environments(tex)
    _check_left_right(tex)


def _check_braces(tex: str) -> None:
    depth, index = 0, 0
    while index < len(tex):
        char = tex[index]
        index += 2 if char == "\\" else 1
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            raise MathError("unbalanced braces")
        if depth > MAX_GROUP_DEPTH:
            raise MathError("formula nested too deeply")
    if depth:
        raise MathError("unbalanced braces")


def _check_environments(tex: str) -> None:
    stack: list[str] = []
    for kind, name in _ENV.findall(tex):
        if name not in KNOWN_ENVIRONMENTS:
            raise MathError(f"unsupported environment {name!r}")
        if kind == "begin":
            stack.append(name)
        elif not stack or stack.pop() != name:
            raise MathError(f"\\end{{{name}}} does not match")
    if stack:
        raise MathError(f"\\begin{{{stack[-1]}}} is not closed")
    if not _ENV.search(tex) and _BARE_AMPERSAND.search(tex):
        raise MathError("& outside an alignment")


def _check_left_right(tex: str) -> None:
    depth = 0
    for kind in _LEFT_RIGHT.findall(tex):
        depth += 1 if kind == "left" else -1
        if depth < 0:
            raise MathError(r"\right without \left")
    if depth:
        raise MathError(r"\left without \right")

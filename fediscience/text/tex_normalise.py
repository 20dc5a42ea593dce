"""Repairs for artefacts of ShortScience text dumps and for TeX dialects latex2mathml reads differently."""

import re
from collections.abc import Callable

# Markdown editors and HTML dumps double the backslash of a row break: `\\\\` or `\\\` mean `\\`.
_ROW_BREAK_BEFORE_COMMAND = re.compile(r"\\{3,}(?=[A-Za-z])")
_ROW_BREAK = re.compile(r"\\{3,}")
_ESCAPED_MARKDOWN = re.compile(r"\\([_*])")
_BARE_PERCENT = re.compile(r"(?<!\\)%")
_ARG_MIN_MAX = re.compile(r"\\arg\s*(?:\\[,;:! ]\s*)?\\(min|max)(?![A-Za-z])")
_HTML_ENTITIES = {"&lt;": "<", "&gt;": ">", "&amp;": "&", "&nbsp;": " "}
_TEXT_COMMANDS = re.compile(
    r"\\(?:text|textrm|textbf|textit|textsf|texttt|textnormal|textup|textsc|mbox|hbox|emph)\s*\{"
)
# Environments latex2mathml does not know, mapped to ones it renders the same way.
_ENVIRONMENTS = {
    "aligned": "align*", "alignat": "align*", "alignat*": "align*", "alignedat": "align*",
    "eqnarray": "align*", "eqnarray*": "align*", "flalign": "align*", "flalign*": "align*",
    "gather": "matrix", "gather*": "matrix", "gathered": "matrix",
    "multline": "matrix", "multline*": "matrix", "dcases": "cases", "darray": "array",
}
_UNWRAPPED_ENVIRONMENTS = ("equation", "equation*", "displaymath", "math")
_ENV = re.compile(r"\\(begin|end)\s*\{([A-Za-z]+\*?)\}(\{\d+\})?")


def normalise_tex(tex: str) -> str:
    """Rewrite `tex` into the TeX its author meant, in the dialect latex2mathml reads."""
    for step in _STEPS:
        tex = step(tex)
    return tex.strip()


def _fix_entities(tex: str) -> str:
    for entity, char in _HTML_ENTITIES.items():
        tex = tex.replace(entity, char)
    return tex


def _fix_row_breaks(tex: str) -> str:
    tex = _ROW_BREAK_BEFORE_COMMAND.sub(lambda _: "\\\\\\", tex)
    return _ROW_BREAK.sub(lambda _: "\\\\", tex)


def _fix_markdown_escapes(tex: str) -> str:
    # `\_` and `\*` come from Markdown editors escaping maths; in TeX maths they mean `_` and `*`.
    return _ESCAPED_MARKDOWN.sub(r"\1", tex)


def _fix_percent(tex: str) -> str:
    # A bare % would comment out the rest of the formula; authors mean a percent sign.
    return _BARE_PERCENT.sub(lambda _: "\\%", tex)


def _fix_arg_min_max(tex: str) -> str:
    return _ARG_MIN_MAX.sub(r"\\arg\1", tex)


def _fix_environments(tex: str) -> str:
    def replace(match: re.Match[str]) -> str:
        kind, name = match.group(1), match.group(2)
        if name in _UNWRAPPED_ENVIRONMENTS:
            return " "
        if name in _ENVIRONMENTS:
            return rf"\{kind}{{{_ENVIRONMENTS[name]}}}"
        return match.group(0)

    return _ENV.sub(replace, tex)


def _flatten_text_braces(tex: str) -> str:
    # latex2mathml ends \text{...} at the first `}`, so inner groups like \text{a {b} c} break it.
    out, pos = [], 0
    for match in _TEXT_COMMANDS.finditer(tex):
        if match.start() < pos:
            continue
        end = _matching_brace(tex, match.end() - 1)
        if end is None:
            break
        inner = re.sub(r"(?<!\\)[{}]", "", tex[match.end():end])
        out.append(tex[pos:match.end()] + inner)
        pos = end
    out.append(tex[pos:])
    return "".join(out)


def _matching_brace(tex: str, start: int) -> int | None:
    depth, index = 0, start
    while index < len(tex):
        char = tex[index]
        if char == "\\":
            index += 2
            continue
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth == 0:
            return index
        index += 1
    return None


_STEPS: tuple[Callable[[str], str], ...] = (
    _fix_entities,
    _fix_row_breaks,
    _fix_markdown_escapes,
    _fix_percent,
    _fix_arg_min_max,
    _fix_environments,
    _flatten_text_braces,
)

"""Definitions for TeX commands that latex2mathml lacks but summaries use with a clear meaning."""

import re

# name -> (number of arguments, body); fed to latex2mathml as \newcommand, so #1, #2 work.
MACROS: dict[str, tuple[int, str]] = {
    "R": (0, r"\mathbb{R}"),
    "N": (0, r"\mathbb{N}"),
    "Z": (0, r"\mathbb{Z}"),
    "Q": (0, r"\mathbb{Q}"),
    "C": (0, r"\mathbb{C}"),
    "E": (0, r"\mathbb{E}"),
    "arg": (0, r"\operatorname{arg}"),
    "Var": (0, r"\operatorname{Var}"),
    "Cov": (0, r"\operatorname{Cov}"),
    "KL": (0, r"\operatorname{KL}"),
    "diag": (0, r"\operatorname{diag}"),
    "softmax": (0, r"\operatorname{softmax}"),
    "sign": (0, r"\operatorname{sign}"),
    "sgn": (0, r"\operatorname{sgn}"),
    "relu": (0, r"\operatorname{ReLU}"),
    "Tr": (0, r"\operatorname{Tr}"),
    "tr": (0, r"\operatorname{tr}"),
    "rank": (0, r"\operatorname{rank}"),
    "erf": (0, r"\operatorname{erf}"),
    "supp": (0, r"\operatorname{supp}"),
    "logit": (0, r"\operatorname{logit}"),
    "eps": (0, r"\epsilon"),
    "veps": (0, r"\varepsilon"),
    "defeq": (0, r"\coloneqq"),
    "d": (0, r"\mathrm{d}"),
    "hdots": (0, r"\ldots"),
    "newline": (0, r"\\"),
    "nolimits": (0, ""),
    "nonumber": (0, ""),
    "notag": (0, ""),
    "label": (1, ""),
    "vspace": (1, ""),
    "textsc": (1, r"\text{#1}"),
    "bold": (1, r"\mathbf{#1}"),
    "abs": (1, r"\left|#1\right|"),
    "norm": (1, r"\left\|#1\right\|"),
    "sfrac": (2, r"\frac{#1}{#2}"),
}

_USED = re.compile(r"\\([A-Za-z]+)")


def macro_preamble(tex: str) -> str:
    r"""The \newcommand lines defining every table macro that `tex` uses."""
    used = dict.fromkeys(name for name in _USED.findall(tex) if name in MACROS)
    return "".join(_definition(name) for name in used)


def _definition(name: str) -> str:
    nargs, body = MACROS[name]
    arity = f"[{nargs}]" if nargs else ""
    return rf"\newcommand{{\{name}}}{arity}{{{body}}}"

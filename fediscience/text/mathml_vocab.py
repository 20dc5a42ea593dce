"""The MathML vocabulary we emit, accept and sanitise: elements, attributes and arities."""

MATHML_NS = "http://www.w3.org/1998/Math/MathML"
TEX_ENCODING = "application/x-tex"

TOKEN_ELEMENTS = frozenset({"mi", "mn", "mo", "ms", "mtext", "mspace", "annotation"})

MATHML_ELEMENTS = frozenset(
    {
        "math", "semantics", "annotation", "mrow", "mi", "mn", "mo", "ms", "mtext", "mspace",
        "msub", "msup", "msubsup", "mfrac", "msqrt", "mroot", "mover", "munder", "munderover",
        "mtable", "mtr", "mtd", "mlabeledtr", "mstyle", "mpadded", "mphantom", "menclose", "merror",
        "mmultiscripts", "mprescripts", "none",
    }
)

# Exact number of children required (MathML Core §3.4 and §3.5); other elements take any number.
ARITY = {
    "msub": 2, "msup": 2, "msubsup": 3, "mfrac": 2, "mroot": 2,
    "mover": 2, "munder": 2, "munderover": 3,
}

# Harmless presentation attributes; none of them takes a URL or script.
MATHML_ATTRIBUTES = frozenset(
    {
        "mathvariant", "stretchy", "fence", "separator", "form", "lspace", "rspace",
        "columnalign", "rowalign", "rowspacing", "columnspacing", "columnlines", "rowlines", "frame",
        "accent", "accentunder", "linethickness", "displaystyle", "scriptlevel", "movablelimits",
        "largeop", "symmetric", "minsize", "maxsize", "width", "height", "depth", "voffset",
        "notation", "linebreak", "columnspan", "rowspan",
    }
)

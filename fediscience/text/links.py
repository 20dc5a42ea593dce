"""Links to papers by identifier: `arxiv:ID`, `doi:ID` and `dblp:KEY` become local paper URLs."""

import re

_PAPER_SCHEME = re.compile(r"^(arxiv|doi|dblp):(?!//)(\S+)$", re.IGNORECASE)


def paper_link(href: str, prefix: str = "/papers") -> str | None:
    """The local URL for an identifier link such as `doi:10.1/x`, or None for any other link."""
    match = _PAPER_SCHEME.match(href.strip())
    if not match:
        return None
    scheme, identifier = match.group(1).lower(), match.group(2).lstrip("/")
    if not identifier:
        return None
    return f"{prefix.rstrip('/')}/{scheme}/{identifier}"

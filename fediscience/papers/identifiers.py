"""Parse and normalise the paper identifiers users type or paste: arXiv ids, DOIs and DBLP keys."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal
from urllib.parse import unquote, urlsplit

Scheme = Literal["arxiv", "doi", "dblp"]

EXAMPLES = "an arXiv id (1707.06684), a DOI (10.1109/CVPR.2016.90) or a DBLP key (conf/nips/RenHGS15)"

# New-style ids since 2007: YYMM.NNNN (until 1412) or YYMM.NNNNN (from 1501).
_ARXIV_NEW = re.compile(r"(?P<id>(?P<yy>\d{2})(?P<mm>\d{2})\.(?P<num>\d{4,5}))(?P<version>v\d+)?")
# Old-style ids (until March 2007): archive[.SUBJECT-CLASS]/YYMMNNN, e.g. hep-th/9901001, math.GT/0309136.
_OLD_ARCHIVES = (
    "acc-phys adap-org alg-geom ao-sci astro-ph atom-ph bayes-an chao-dyn chem-ph cmp-lg comp-gas cond-mat cs "
    "dg-ga funct-an gr-qc hep-ex hep-lat hep-ph hep-th math math-ph mtrl-th nlin nucl-ex nucl-th patt-sol physics "
    "plasm-ph q-alg q-bio quant-ph solv-int supr-con"
).split()
_ARXIV_OLD = re.compile(
    rf"(?P<id>(?P<archive>{'|'.join(map(re.escape, _OLD_ARCHIVES))})(?P<cls>\.[a-z]{{2}})?/(?P<num>\d{{7}}))"
    r"(?P<version>v\d+)?",
    re.IGNORECASE,
)
# Crossref's recommended DOI pattern; the suffix may hold almost anything but whitespace.
_DOI = re.compile(r"10\.\d{4,9}/\S+")
_DBLP = re.compile(r"[a-z]+/[A-Za-z0-9_-]+(?:/[A-Za-z0-9_.'-]+)+")
# DBLP's own CoRR keys: journals/corr/abs-1707-06684 (new) or journals/corr/abs-cs-0601001 (old).
_DBLP_CORR_ABS = re.compile(r"journals/corr/abs-(?P<rest>.+)")
_DBLP_FORMAT_SUFFIX = re.compile(r"\.(?:html|xml|bib|ris|nt|ttl|rdf)$")
_ARXIV_DOI_PREFIX = "10.48550/arxiv."

_ARXIV_HOSTS = {"arxiv.org", "www.arxiv.org", "export.arxiv.org", "lanl.arxiv.org"}
_DOI_HOSTS = {"doi.org", "dx.doi.org", "www.doi.org"}
_DBLP_HOSTS = {"dblp.org", "www.dblp.org", "dblp.uni-trier.de", "dblp.dagstuhl.de"}


class InvalidIdentifier(ValueError):
    """The text is not a recognisable paper identifier; the message says why, for the user."""


@dataclass(frozen=True)
class Identifier:
    """A parsed identifier; value is already normalised, version is the arXiv version (e.g. "v2")."""

    scheme: Scheme
    value: str
    version: str | None = None

    @property
    def normalised(self) -> str:
        """The canonical form: arXiv id without version, lower-cased DOI, DBLP key as is."""
        return self.value

    def __str__(self) -> str:
        prefix = {"arxiv": "arXiv:", "doi": "doi:", "dblp": "DBLP:"}[self.scheme]
        return f"{prefix}{self.value}{self.version or ''}"


def parse_identifier(text: str) -> Identifier:
    """Parse what a user typed or pasted into an Identifier, or raise InvalidIdentifier."""
    cleaned = (text or "").strip()
    if not cleaned:
        raise InvalidIdentifier(f"Please enter a paper identifier: {EXAMPLES}.")
    if any(ch.isspace() for ch in cleaned):
        raise InvalidIdentifier(f"“{_shorten(cleaned)}” contains spaces; expected {EXAMPLES}.")
    if _looks_like_url(cleaned):
        return _parse_url(cleaned)
    return _parse_bare(cleaned)


def normalise_doi(text: str) -> str:
    """Return the canonical (lower-cased, prefix-free) DOI, or raise InvalidIdentifier."""
    doi = text.strip()
    for prefix in ("https://", "http://"):
        if doi.lower().startswith(prefix):
            doi = doi[len(prefix):]
    for prefix in ("dx.doi.org/", "www.doi.org/", "doi.org/", "doi:"):
        if doi.lower().startswith(prefix):
            doi = doi[len(prefix):].strip()
    # Pasted from a sentence or a reference list: drop the trailing full stop or comma.
    doi = doi.rstrip(".,;")
    if not _DOI.fullmatch(doi):
        raise InvalidIdentifier(f"“{_shorten(text.strip())}” is not a valid DOI: "
                                "a DOI looks like 10.1109/CVPR.2016.90.")
    return doi.lower()


def normalise_arxiv(text: str) -> tuple[str, str | None]:
    """Return (id without version, version or None) for an arXiv id, or raise InvalidIdentifier."""
    raw = text.strip()
    candidate = raw[6:] if raw.lower().startswith("arxiv:") else raw
    new = _ARXIV_NEW.fullmatch(candidate)
    if new and 1 <= int(new["mm"]) <= 12 and _arxiv_number_fits(new["yy"], new["mm"], new["num"]):
        return new["id"], new["version"]
    old = _ARXIV_OLD.fullmatch(candidate)
    if old:
        archive = old["archive"].lower() + (old["cls"].upper() if old["cls"] else "")
        return f"{archive}/{old['num']}", old["version"]
    raise InvalidIdentifier(f"“{_shorten(raw)}” is not a valid arXiv id: expected e.g. 1707.06684, 1707.06684v2 "
                            "or hep-th/9901001.")


def arxiv_id_from_dblp_key(key: str) -> str | None:
    """The arXiv id behind a CoRR key (journals/corr/1512.03385, journals/corr/abs-1512-03385), else None."""
    if not key.startswith("journals/corr/"):
        return None
    rest = key[len("journals/corr/"):]
    abs_key = _DBLP_CORR_ABS.fullmatch(key)
    if abs_key:
        rest = _corr_abs_to_arxiv(abs_key["rest"])
    try:
        return normalise_arxiv(rest)[0]
    except InvalidIdentifier:
        return None


def normalise_dblp(text: str) -> str:
    """Return the DBLP key without "DBLP:" prefix or format suffix, or raise InvalidIdentifier."""
    key = text.strip()
    if key.upper().startswith("DBLP:"):
        key = key[5:]
    key = _DBLP_FORMAT_SUFFIX.sub("", key.strip("/"))
    if not _DBLP.fullmatch(key):
        raise InvalidIdentifier(f"“{_shorten(text.strip())}” is not a valid DBLP key: "
                                "expected e.g. conf/nips/RenHGS15.")
    return key


def _parse_bare(text: str) -> Identifier:
    lowered = text.lower()
    if lowered.startswith("arxiv:"):
        return _arxiv(text)
    if lowered.startswith("doi:") or text.startswith("10."):
        return _doi(text)
    if lowered.startswith("dblp:"):
        return Identifier("dblp", normalise_dblp(text))
    if _ARXIV_NEW.fullmatch(text) or _ARXIV_OLD.fullmatch(text):
        return _arxiv(text)
    if _DBLP.fullmatch(_DBLP_FORMAT_SUFFIX.sub("", text)):
        return Identifier("dblp", normalise_dblp(text))
    if re.fullmatch(r"\d{4}\.\d+(v\d+)?", text):
        return _arxiv(text)  # arXiv-shaped but wrong length: let normalise_arxiv explain.
    raise InvalidIdentifier(f"“{_shorten(text)}” is not a paper identifier we know: expected {EXAMPLES}.")


def _arxiv(text: str) -> Identifier:
    value, version = normalise_arxiv(text)
    return Identifier("arxiv", value, version)


def _doi(text: str) -> Identifier:
    doi = normalise_doi(text)
    # arXiv's own DOIs (DataCite, unknown to Crossref) are better served by the arXiv API.
    if doi.startswith(_ARXIV_DOI_PREFIX):
        try:
            return _arxiv(doi[len(_ARXIV_DOI_PREFIX):])
        except InvalidIdentifier:
            pass
    return Identifier("doi", doi)


def _looks_like_url(text: str) -> bool:
    lowered = text.lower()
    if lowered.startswith(("http://", "https://")):
        return True
    host = lowered.split("/", 1)[0]
    return host in _ARXIV_HOSTS | _DOI_HOSTS | _DBLP_HOSTS


def _parse_url(text: str) -> Identifier:
    url = text if "://" in text else f"https://{text}"
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    path = unquote(parts.path)
    if host in _ARXIV_HOSTS:
        return _parse_arxiv_path(text, path)
    if host in _DOI_HOSTS:
        return _doi(path.lstrip("/"))
    if host in _DBLP_HOSTS:
        return _parse_dblp_path(text, path)
    raise InvalidIdentifier(f"Links to {host or 'that address'} are not recognised: paste an arxiv.org, doi.org "
                            f"or dblp.org link, or {EXAMPLES}.")


def _parse_arxiv_path(text: str, path: str) -> Identifier:
    match = re.fullmatch(r"/(?:abs|pdf|format|html)/(?P<id>.+?)(?:\.pdf)?/?", path)
    if not match:
        raise InvalidIdentifier(f"“{_shorten(text)}” is not a link to an arXiv paper: expected e.g. "
                                "https://arxiv.org/abs/1707.06684.")
    return _arxiv(match["id"])


def _parse_dblp_path(text: str, path: str) -> Identifier:
    # Current links are /rec/KEY(.html|.xml|.bib); older ones put the format first, /rec/bibtex/KEY.
    match = re.fullmatch(r"/rec/(?:(?:bibtex|bib[0-2]?|xml|html|ris)/)?(?P<key>.+)", path)
    if not match:
        raise InvalidIdentifier(f"“{_shorten(text)}” is not a link to a DBLP record: expected e.g. "
                                "https://dblp.org/rec/conf/nips/RenHGS15.")
    return Identifier("dblp", normalise_dblp(match["key"]))


def _arxiv_number_fits(yy: str, mm: str, num: str) -> bool:
    # New-style ids began in April 2007; five-digit sequence numbers in January 2015.
    month = (int(yy), int(mm))
    return month >= (7, 4) and len(num) == (5 if month >= (15, 1) else 4)


def _corr_abs_to_arxiv(rest: str) -> str:
    new = re.fullmatch(r"(\d{4})-(\d{4,5})", rest)
    if new:
        return f"{new[1]}.{new[2]}"
    old = re.fullmatch(r"([a-z-]+?)-(\d{7})", rest)
    return f"{old[1]}/{old[2]}" if old else rest


def _shorten(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"

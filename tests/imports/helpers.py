"""Building import files for the tests: a ShortScience CSV from the seed summaries, with malformed rows."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

import httpx

from tests.text.test_seeds import seed_summaries

# Seed summaries (by how they begin) and the bibtexKey of their paper, each with a recorded DBLP/arXiv answer.
SEED_KEYS = {
    "We want to find two matrices $W$ and $H$": "conf/nips/LeeS00",
    "Fawzi et al. study robustness": "journals/corr/1608.08967",
    "**Object detection** is the task": "conf/nips/RenHGS15",
    "This is an interestingly pragmatic paper": "conf/iclr/RendaFC20",
    "Deeper networks should never have a higher": "journals/corr/HeZRS15",
    "The last two years have seen a number of improvements": "conf/naacl/DevlinCLT19",
    "Mask RCNN takes off from where Faster RCNN left": "conf/iccv/HeGDG17",
}


def seed_text(prefix: str) -> str:
    """The first seed summary beginning with prefix (some pages hold two versions of a summary)."""
    matches = [summary for summary in seed_summaries() if summary.startswith(prefix)]
    assert matches, f"no seed summary begins with {prefix!r}"
    return matches[0]


def csv_line(*fields: str) -> str:
    """One CSV row as Python's csv module writes it (quotes doubled), without its line end."""
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(fields)
    return out.getvalue()


@dataclass
class ShortScienceFile:
    """A ShortScience export: its text, the valid rows (key → text) and the line of each bad row."""

    lines: list[str] = field(default_factory=list)
    valid: dict[str, str] = field(default_factory=dict)
    bad_lines: dict[int, str] = field(default_factory=dict)  # line → a word the error message must contain

    def add_valid(self, key: str, text: str) -> None:
        self.lines.append(csv_line(key, text))
        self.valid[key] = text.strip()  # ShortScience trims texts too

    def add_bad(self, raw: str, expect: str) -> None:
        self.lines.append(raw)
        self.bad_lines[len(self.lines)] = expect

    @property
    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def shortscience_export() -> ShortScienceFile:
    """Seven seed summaries with their keys, headerless as ShortScience writes it, with five bad rows mixed in."""
    built = ShortScienceFile()
    items = list(SEED_KEYS.items())
    for prefix, key in items[:3]:
        built.add_valid(key, seed_text(prefix))
    built.add_bad(csv_line("", "A summary of no paper at all, which has no key."), "key")
    built.add_bad(csv_line("conf/nips/LeeS00", "   "), "empty")
    built.add_valid(*reversed(_pair(items[3])))
    built.add_bad(csv_line("conf/nips/Nobody99", "A summary of a paper DBLP has never heard of."), "DBLP")
    built.add_bad('conf/nips/RenHGS15,"a broken row: this "quote" is not doubled', "quote")
    for item in items[4:]:
        built.add_valid(*reversed(_pair(item)))
    built.add_bad(csv_line("not a key", "The key has spaces in it."), "contains spaces")
    return built


def _pair(item: tuple[str, str]) -> tuple[str, str]:
    prefix, key = item
    return seed_text(prefix), key


def offline_transport() -> httpx.MockTransport:
    """A transport that fails every request: proves that something needs no network."""

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("no network in this test", request=request)

    return httpx.MockTransport(refuse)

"""The example objects of fediverse-pasture-inputs, exported as JSON from a virtualenv of their own.

The package depends on bovine, which pins cryptography<46 and PyLD<3; installed next to the project it would
downgrade both (and tests/federation_serve needs PyLD 3's frozen document loader). So it lives in a separate
virtualenv under the user's cache folder, built once (under a file lock, as pytest-xdist workers may race) and
reused; export.py, run by that virtualenv's Python, writes the examples out. `python -m tests.pasture.inputs`
builds it ahead of a test run (.ci/run does).
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

VERSION = "0.3.0"
EXPORT_SCRIPT = Path(__file__).with_name("export.py")


@dataclass(frozen=True)
class PastureExample:
    """One example: the input (support table) it belongs to, its group, its position, and the partial object."""

    input: str
    group: str
    index: int
    example: dict[str, Any]

    @property
    def test_id(self) -> str:
        """A readable pytest id: input name, position, and the start of the example's text."""
        text = self.example.get("summary") or self.example.get("content") or ""
        slug = re.sub(r"[^0-9A-Za-z]+", "-", text if isinstance(text, str) else "").strip("-")[:30].rstrip("-")
        return f"{self.input}-{self.index:02d}" + (f"-{slug}" if slug else "")


def cache_dir() -> Path:
    """Where the virtualenv and the exported JSON live ($FEDISCIENCE_PASTURE_DIR, else the user's cache)."""
    configured = os.environ.get("FEDISCIENCE_PASTURE_DIR")
    if configured:
        return Path(configured)
    cache_home = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache_home / "fediscience" / f"pasture-inputs-{VERSION}"


def load_examples() -> list[PastureExample]:
    """Every example of the pinned version, in a stable order (exported first if need be)."""
    document = json.loads(ensure_exported().read_text())
    return [PastureExample(**row) for row in document["examples"]]


def ensure_exported() -> Path:
    """The exported JSON file: built (virtualenv, install, export) unless an export of VERSION is there."""
    folder = cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "examples.json"
    with _locked(folder / ".lock"):
        if not _is_current(target):
            venv = folder / "venv"
            if not (venv / "bin" / "python").exists():
                _run([sys.executable, "-m", "venv", str(venv)])
            python = str(venv / "bin" / "python")
            _run([python, "-m", "pip", "install", "--quiet", f"fediverse-pasture-inputs=={VERSION}"])
            _run([python, str(EXPORT_SCRIPT), str(target)])
    return target


def _is_current(target: Path) -> bool:
    try:
        return json.loads(target.read_text()).get("version") == VERSION
    except (OSError, ValueError):
        return False


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _run(command: list[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")


if __name__ == "__main__":
    print(f"{len(load_examples())} fediverse-pasture-inputs {VERSION} examples in {ensure_exported()}")

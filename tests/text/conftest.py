"""Load fediscience.text even while the application package itself does not import.

`fediscience/__init__.py` imports the Flask app eagerly; the text package is pure and must be
testable on its own, so when the parent package fails to import we register a bare package
object for it (with a warning) instead of failing every text test on collection.
"""

import importlib
import sys
import types
import warnings
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parents[2] / "fediscience"


def _ensure_parent_package() -> None:
    try:
        importlib.import_module("fediscience")
    except Exception as exc:  # the app is someone else's work in progress
        for name in [n for n in sys.modules if n == "fediscience" or n.startswith("fediscience.")]:
            del sys.modules[name]
        stub = types.ModuleType("fediscience")
        stub.__path__ = [str(PACKAGE_DIR)]
        sys.modules["fediscience"] = stub
        warnings.warn(f"fediscience does not import ({exc!r}); testing fediscience.text alone")


_ensure_parent_package()

"""Write every example of fediverse-pasture-inputs as JSON; run by the Python of the pasture's own virtualenv.

This file must not import the project: tests/pasture/inputs.py runs it with `<venv>/bin/python export.py OUT`
in a separate virtualenv, because the package (through bovine) pins cryptography<46 and PyLD<3, older than the
project's test environment uses.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def export(target: Path) -> int:
    """Write [{input, group, index, example}, ...] (sorted by input name) to `target`; the number of examples."""
    from fediverse_pasture_inputs import available
    from fediverse_pasture_inputs.version import __version__

    rows = [
        {"input": name, "group": data.group, "index": index, "example": example}
        for name, data in sorted(available.items())
        for index, example in enumerate(data.examples)
    ]
    partial = target.with_suffix(".partial")
    partial.write_text(json.dumps({"version": __version__, "examples": rows}, indent=1, sort_keys=True))
    partial.replace(target)
    return len(rows)


if __name__ == "__main__":
    print(export(Path(sys.argv[1])))

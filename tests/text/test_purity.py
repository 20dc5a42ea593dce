"""fediscience.text is pure: it imports with Flask, SQLAlchemy and network clients blocked."""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

PROBE = r"""
import sys, types
BLOCKED = {"flask", "flask_sqlalchemy", "sqlalchemy", "httpx", "requests", "redis", "rq", "urllib3"}
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ImportError(f"blocked: {name}")
sys.meta_path.insert(0, Block())
parent = types.ModuleType("fediscience")
parent.__path__ = [sys.argv[1] + "/fediscience"]
sys.modules["fediscience"] = parent
import fediscience.text as text
html = text.render_markdown("$x_1$ and **b**")
assert "<math" in html and "<strong>b</strong>" in html, html
print("ok")
"""


def test_text_package_imports_without_app_db_or_network() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(REPO)], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"

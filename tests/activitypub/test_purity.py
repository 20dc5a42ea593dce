"""fediscience.activitypub is pure: stdlib and cryptography only, importable with app, DB and network blocked."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "fediscience" / "activitypub"

PROBE = r"""
import sys
BLOCKED = {"flask", "flask_sqlalchemy", "flask_wtf", "werkzeug", "sqlalchemy", "httpx", "requests", "urllib3",
           "aiohttp", "redis", "rq", "psycopg", "pydantic", "pydantic_settings"}
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ImportError(f"blocked: {name}")
sys.meta_path.insert(0, Block())
sys.path.insert(0, sys.argv[1])
import importlib, pkgutil
import fediscience.activitypub as ap
for info in pkgutil.iter_modules(ap.__path__):
    importlib.import_module("fediscience.activitypub." + info.name)
from fediscience.activitypub import keys, signatures
pair = keys.generate_key_pair()
headers = signatures.sign_request("POST", "https://a.example/inbox", key_id="k", body=b"{}",
                                  private_key=keys.load_private_key(pair.private_pem))
request = signatures.SignedRequest("POST", "/inbox", headers, b"{}")
assert signatures.verify_request(request, keys.load_public_key(pair.public_pem)).key_id == "k"
assert "fediscience.app" not in sys.modules, "fediscience.app was imported"
leaked = sorted(m for m in sys.modules if m.split(".")[0] in BLOCKED)
assert not leaked, leaked
print("ok")
"""


def test_package_imports_and_signs_with_app_db_and_network_blocked() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(REPO)], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def _imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_every_import_is_stdlib_cryptography_or_relative() -> None:
    modules = sorted(PACKAGE.glob("*.py"))
    assert len(modules) > 10
    allowed = set(sys.stdlib_module_names) | {"cryptography", "__future__"}
    foreign = {path.name: sorted(_imported_roots(path) - allowed) for path in modules}
    assert {name: roots for name, roots in foreign.items() if roots} == {}

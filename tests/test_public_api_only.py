"""src/ uses its dependencies through their public API only: a private attribute of the SDK (or of
anything else) changes without notice between releases, and a pip install takes the newest one.

Any `x._name` where `x` is not `self`/`cls` fails here, and so does an import of a private module
(`databricks.sdk._base_client`, say). Our own modules keep their private names to themselves too,
so the rule needs no list of which objects come from a dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"
# The public methods of every namedtuple (urllib.parse's results among them) start with `_`.
NAMEDTUPLE_API = {"_replace", "_asdict", "_fields", "_make"}


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def private_reaches(source: str, filename: str = "<src>") -> list[str]:
    found: list[str] = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Attribute) and _private(node.attr) and node.attr not in NAMEDTUPLE_API:
            if isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"):
                continue
            found.append(f"{filename}:{node.lineno}: {ast.unparse(node)}")
        modules: list[str] = []
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        for module in modules:
            top, *rest = module.split(".")
            if top != "sharepack" and any(_private(part) for part in rest):
                found.append(f"{filename}:{node.lineno}: import {module}")
    return found


def test_src_reaches_for_no_private_attribute_or_module_of_a_dependency() -> None:
    found = [
        hit
        for path in sorted(SRC.rglob("*.py"))
        for hit in private_reaches(path.read_text(encoding="utf-8"), str(path.relative_to(SRC)))
    ]
    assert found == [], "private internals used:\n" + "\n".join(found)


def test_the_scan_catches_the_sdk_internal_sharepack_once_replaced() -> None:
    # What broke every pip install with databricks-sdk 0.167.
    source = "base = client.api_client._api_client\nbase._is_retryable = f\n"
    assert len(private_reaches(source)) == 2


def test_the_scan_catches_a_private_sdk_module_import() -> None:
    assert private_reaches("from databricks.sdk._base_client import _BaseClient\n")
    assert private_reaches("import databricks.sdk._base_client\n")
    assert private_reaches("from databricks.sdk import _base_client\n")


def test_the_scan_leaves_self_and_namedtuple_methods_alone() -> None:
    source = "self._x = 1\ncls._y()\nparts._replace(path='/')\nfrom sharepack.x import _own\n"
    assert private_reaches(source) == []

"""The shape of the code, kept: no import cycle between sharepack's modules (each can be read, tested
and moved knowing only what it imports), no module past 400 lines, no package named for a test
folder. The layers themselves are import-linter contracts (pyproject.toml), run by `make lint`; a
cycle inside one layer would slip through them, so it is refused here."""

from __future__ import annotations

from pathlib import Path

import grimp

import sharepack

SOURCE = Path(sharepack.__file__).parent
MAX_LINES = 400


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.find_modules_directly_imported_by(child)))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_module_imports_itself_back() -> None:
    graph = grimp.build_graph("sharepack", exclude_type_checking_imports=True)
    assert _cycles(graph) == []


def test_a_cycle_is_found() -> None:
    graph = grimp.ImportGraph()
    for module in ("a", "a.x", "a.y", "a.z"):
        graph.add_module(module)
    graph.add_import(importer="a.x", imported="a.y")
    graph.add_import(importer="a.y", imported="a.x")
    graph.add_import(importer="a.z", imported="a.x")
    assert _cycles(graph) == [["a.x", "a.y"]]


def test_every_module_is_small_enough_to_read_whole() -> None:
    long = {
        str(path.relative_to(SOURCE)): lines
        for path in SOURCE.rglob("*.py")
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def test_module_names_say_what_they_hold() -> None:
    # `spec/` reads as a test folder (RSpec); `lite_` says nothing inside `emulator/`.
    names = {path.relative_to(SOURCE).as_posix() for path in SOURCE.rglob("*.py")}
    assert [n for n in names if n.startswith("spec/") or "/lite_" in n or n.startswith("lite_")] == []

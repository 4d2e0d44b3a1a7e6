"""The locks and the floors agree with pyproject.toml: offline, from the checked-in files alone.

requirements/lock.txt is what `make test`/`make demo` install; requirements/lock-lowest.txt is what
`make test-lowest` installs to prove the floors. Both come from `make lock` (uv pip compile).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = ROOT / "requirements"
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _in_file(name: str) -> list[Requirement]:
    reqs: list[Requirement] = []
    for raw in (REQUIREMENTS / name).read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("-r "):
            reqs += _in_file(line[3:].strip())
        else:
            reqs.append(Requirement(line))
    return reqs


def _direct() -> dict[str, Requirement]:
    project = _pyproject()["project"]
    lines = [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    reqs = [Requirement(line) for line in lines] + _in_file("tools.in")
    return {canonicalize_name(r.name): r for r in reqs}


def _pins(lock: str) -> dict[str, Version]:
    text = (REQUIREMENTS / lock).read_text(encoding="utf-8")
    pins: dict[str, Version] = {}
    for line in text.splitlines():
        match = PIN.match(line)
        if match:
            pins[canonicalize_name(match[1])] = Version(match[2])
    return pins


def _floor(req: Requirement) -> Version | None:
    floors = [Version(s.version) for s in req.specifier if s.operator in (">=", "==")]
    return max(floors) if floors else None


def test_every_direct_dependency_declares_a_floor() -> None:
    missing = sorted(name for name, req in _direct().items() if _floor(req) is None)
    assert not missing, f"no lower bound (>=) in pyproject.toml / requirements/tools.in for: {missing}"


@pytest.mark.parametrize("lock", ["lock.txt", "lock-lowest.txt"])
def test_the_lock_pins_every_direct_dependency_within_its_range(lock: str) -> None:
    pins = _pins(lock)
    problems = []
    for name, req in _direct().items():
        if name not in pins:
            problems.append(f"{name}: not in {lock}")
        elif not req.specifier.contains(pins[name], prereleases=True):
            problems.append(f"{name}=={pins[name]} outside {req.specifier}")
    assert not problems, f"requirements/{lock} is stale, run `make lock`: {problems}"


def test_the_lowest_lock_pins_exactly_the_declared_floors() -> None:
    # If this fails after raising a floor, run `make lock`; if a floor can't be installed, raise it.
    pins = _pins("lock-lowest.txt")
    drifted = {
        name: f"floor {_floor(req)}, lowest lock {pins.get(name)}"
        for name, req in _direct().items()
        if pins.get(name) != _floor(req)
    }
    assert not drifted, drifted


@pytest.mark.parametrize("lock", ["lock.txt", "lock-lowest.txt", "uv.txt"])
def test_every_pin_is_hashed(lock: str) -> None:
    blocks = re.split(r"\n(?=[A-Za-z0-9])", (REQUIREMENTS / lock).read_text(encoding="utf-8"))
    unhashed = [b.split()[0] for b in blocks if PIN.match(b) and "--hash=sha256:" not in b]
    assert not unhashed, f"pins without hashes in requirements/{lock}: {unhashed}"
    assert _pins(lock), f"no pins read from requirements/{lock}"


def test_uv_is_pinned_once() -> None:
    (uv,) = [r for r in _in_file("uv.in") if canonicalize_name(r.name) == "uv"]
    (spec,) = uv.specifier
    assert spec.operator == "=="
    for lock in ("uv.txt", "lock.txt", "lock-lowest.txt"):
        assert _pins(lock)["uv"] == Version(spec.version), lock


def test_the_build_backend_floor_matches_the_locked_one() -> None:
    # The editable install runs without build isolation, from the setuptools in the lock.
    (build,) = [Requirement(r) for r in _pyproject()["build-system"]["requires"]]
    assert _floor(build) == _floor(_direct()["setuptools"])


def test_license_is_an_spdx_expression() -> None:
    # A table ({text = ...}) makes setuptools >= 77 warn on every install.
    assert _pyproject()["project"]["license"] == "Apache-2.0"

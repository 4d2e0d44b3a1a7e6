"""A recording stand-in for `pyspark.pipelines` (imported as `dp`) and the bit of pyspark the
generated code touches.

The generated source is executed against it, so a test asserts what the code does (which table
it reads, how it applies changes) rather than how it is spelled. It needs no Spark, so it runs in
`make test`; `make test-pipelines` (tests/pipelines_spark) runs the same text on the open-source
engine (SCD 1 on PySpark 4.2, SCD 2 on 4.3). This stand-in is the only check of the one branch that
engine cannot take: the Databricks one, where `dp` has expectations (`expectations=True`) and
the rows with a NULL key are dropped by one instead of filtered out."""

from __future__ import annotations

import sys
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Read:
    """A DataFrame read: batch or streaming, with options and filters, as the code built it."""

    streaming: bool
    options: dict[str, str] = field(default_factory=dict)
    table: str | None = None
    filters: list[str] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)  # selectExpr's, in order

    def selectExpr(self, *exprs: str) -> Read:
        self.columns = list(exprs)
        return self

    def option(self, key: str, value: str) -> Read:
        self.options[key] = value
        return self

    def where(self, condition: str) -> Read:
        self.filters.append(condition)
        return self

    filter = where

    def read_table(self, name: str) -> Read:
        self.table = name
        return self


class _Reader:
    def __init__(self, streaming: bool) -> None:
        self.streaming = streaming

    def option(self, key: str, value: str) -> Any:
        return _Chain(Read(self.streaming, {key: value}))

    def table(self, name: str) -> Read:
        return Read(self.streaming, table=name)


class _Chain:
    def __init__(self, read: Read) -> None:
        self.read = read

    def option(self, key: str, value: str) -> _Chain:
        self.read.options[key] = value
        return self

    def table(self, name: str) -> Read:
        return self.read.read_table(name)


class _Spark:
    read = _Reader(streaming=False)
    readStream = _Reader(streaming=True)


@dataclass
class Recording:
    tables: dict[str, Read] = field(default_factory=dict)  # @dp.materialized_view name -> what it returns
    views: dict[str, Read] = field(default_factory=dict)  # @dp.temporary_view name -> what it returns
    # @dp.temporary_view name -> the expect_all_or_drop expectations on it (name -> condition)
    expectations: dict[str, dict[str, str]] = field(default_factory=dict)
    streaming_tables: list[dict[str, Any]] = field(default_factory=list)
    flows: list[dict[str, Any]] = field(default_factory=list)  # create_auto_cdc_flow calls


@contextmanager
def fake_pipelines(*, expectations: bool) -> Iterator[Recording]:
    """`expectations`: whether `dp` has them, as on Databricks (open-source Spark has none)."""
    recording = Recording()

    def decorator(into: dict[str, Read]) -> Callable[..., Any]:
        def outer(name: str | None = None, **_: Any) -> Callable[[Callable[[], Read]], Callable[[], Read]]:
            def inner(function: Callable[[], Read]) -> Callable[[], Read]:
                resolved = name or function.__name__
                into[resolved] = function()
                expected = getattr(function, "expect_all_or_drop", None)
                if expected is not None:
                    recording.expectations[resolved] = expected
                return function

            return inner

        return outer

    def expect_all_or_drop(conditions: dict[str, str]) -> Callable[[Callable[[], Read]], Callable[[], Read]]:
        def inner(function: Callable[[], Read]) -> Callable[[], Read]:
            function.expect_all_or_drop = dict(conditions)  # type: ignore[attr-defined]
            return function

        return inner

    dp = types.ModuleType("pyspark.pipelines")
    dp.materialized_view = decorator(recording.tables)  # type: ignore[attr-defined]
    dp.temporary_view = decorator(recording.views)  # type: ignore[attr-defined]
    if expectations:
        dp.expect_all_or_drop = expect_all_or_drop  # type: ignore[attr-defined]
    dp.create_streaming_table = lambda **kw: recording.streaming_tables.append(kw)  # type: ignore[attr-defined]
    dp.create_auto_cdc_flow = lambda **kw: recording.flows.append(kw)  # type: ignore[attr-defined]
    pyspark = types.ModuleType("pyspark")
    sql = types.ModuleType("pyspark.sql")
    sql.SparkSession = type("SparkSession", (), {"active": staticmethod(lambda: _Spark())})  # type: ignore[attr-defined]
    pyspark.sql = sql  # type: ignore[attr-defined]
    pyspark.pipelines = dp  # type: ignore[attr-defined]
    fakes = {"pyspark": pyspark, "pyspark.pipelines": dp, "pyspark.sql": sql}
    saved = {name: sys.modules.get(name) for name in fakes}
    sys.modules.update(fakes)
    try:
        yield recording
    finally:
        for name, module in saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module


def run(source: str, *, expectations: bool = True) -> Recording:
    """Execute generated source as the pipeline runtime would (Databricks' by default), and
    return what it declared."""
    with fake_pipelines(expectations=expectations) as recording:
        exec(compile(source, "<generated>", "exec"), {"__name__": "__main__"})
    return recording

"""A local Spark with Delta Lake, and `spark-pipelines run` against it.

One Spark Connect server (one JVM) lives for the whole test module: the tests write their
source tables through it, every pipeline run goes to it (`spark-pipelines --remote`), and the
tests read the targets back from it. One server, not a JVM per run, because Spark's built-in
catalog lives in the server's memory: tables the first run creates must still be there for the
second run, and for the test that reads them.

The server is what a Databricks workspace gives a pipeline and nothing more: Delta as the table
format (`spark.sql.sources.default`, as on Databricks) through Delta's catalog and SQL extension,
a warehouse in a temporary folder — plus one catalog Databricks does not need: TARGET_CATALOG,
Spark's reference row-level connector, where Auto CDC targets are stored because open-source Auto
CDC cannot MERGE into Delta 4.4 (see test_generated_code_on_spark). Its tables live in the
server's memory, shared by every session, so they outlast both runs. The generated code runs as
it is — no switch, no stand-in.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import re
import socket
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pyspark
import yaml
from pyspark.sql import SparkSession

TARGET_CATALOG = "cdc"  # where Auto CDC targets are stored (see the module doc)
TARGET_CATALOG_CONF = f"spark.sql.catalog.{TARGET_CATALOG}"
SERVER_STARTED = "Spark Connect server started"
START_TIMEOUT_S = 600  # the first start downloads Delta's jars from Maven Central
RUN_TIMEOUT_S = 900


def delta_package() -> str | None:
    """Delta's Maven coordinates for the installed PySpark and delta-spark (as delta's own
    `configure_spark_with_delta_pip` computes them): one jar per Spark minor. None in a venv
    without delta-spark (.venv-spark43: no Delta runs on Spark 4.3 yet)."""
    try:
        delta = importlib.metadata.version("delta-spark")
    except importlib.metadata.PackageNotFoundError:
        return None
    spark_minor = ".".join(pyspark.__version__.split(".")[:2])
    return f"io.delta:delta-spark_{spark_minor}_2.13:{delta}"


# Spark's reference connector for row-level operations (MERGE, UPDATE, DELETE through DSv2), shipped
# only in spark-catalyst's `tests` jar: Spark's own Auto CDC suites write their targets into it.
# `--packages` cannot ask for a classifier, so the jar is fetched once into the cache and checked
# against the digest pinned here (the same bytes Maven Central's .sha1 names: 39324111dc71…).
ROW_LEVEL_CATALOG = "org.apache.spark.sql.connector.catalog.SharedTablesInMemoryRowLevelOperationTableCatalog"
_CATALYST_TESTS_SHA256 = {
    "4.2.0": "9f46cfb6d4cb5dff696b76f8af3db1ecfc56cbc43ffb0fa785ef947ac4ad2620",
}
# The tests jar each PySpark uses. spark-catalyst 4.3.0 is not on Maven Central (PySpark 4.3.0 is on
# PyPI): 4.2.0's connector, a test class over the public DSv2 API, loads and runs on 4.3.
_CATALYST_TESTS_FOR = {"4.2.0": "4.2.0", "4.3.0": "4.2.0"}
_MAVEN = "https://repo1.maven.org/maven2/org/apache/spark/spark-catalyst_2.13"


def row_level_catalog_jar(cache: Path) -> Path:
    """spark-catalyst's tests jar for the installed PySpark, downloaded once and verified."""
    version = _CATALYST_TESTS_FOR.get(pyspark.__version__, pyspark.__version__)
    if version not in _CATALYST_TESTS_SHA256:
        raise RuntimeError(f"no pinned digest for spark-catalyst_2.13-{version}-tests.jar; add it")
    jar = cache / "jars" / f"spark-catalyst_2.13-{version}-tests.jar"
    if not jar.exists():
        jar.parent.mkdir(parents=True, exist_ok=True)
        partial = jar.with_suffix(".part")
        with urllib.request.urlopen(f"{_MAVEN}/{version}/{jar.name}", timeout=300) as response:
            partial.write_bytes(response.read())
        partial.replace(jar)
    digest = hashlib.sha256(jar.read_bytes()).hexdigest()
    if digest != _CATALYST_TESTS_SHA256[version]:
        jar.unlink()
        raise RuntimeError(f"{jar.name}: sha256 {digest} is not the pinned one; removed, try again")
    return jar


def quoted(name: str) -> str:
    """One name part as Spark's parser needs it: backticks unless it is a plain identifier."""
    return name if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) else "`" + name.replace("`", "``") + "`"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _spark_env() -> dict[str, str]:
    env = dict(os.environ)
    env["SPARK_HOME"] = str(Path(pyspark.__file__).parent)
    env["PYSPARK_PYTHON"] = sys.executable
    env.pop("SPARK_REMOTE", None)
    return env


@dataclass
class FlowOutcome:
    state: str  # the last state the run reported: COMPLETED, FAILED, ... or NOT STARTED
    error: str = ""  # the error class of its last failure, e.g. AUTOCDC_TARGET_DOES_NOT_SUPPORT_MERGE
    message: str = ""  # and the engine's words for it


@dataclass
class PipelineRun:
    returncode: int
    log: str
    flows: dict[str, FlowOutcome] = field(default_factory=dict)  # by table name, unqualified

    def outcome(self, table: str) -> FlowOutcome:
        """The flow's outcome; a flow the run never got to (the graph was refused before any
        flow started) carries the run's own error.

        Open-source Spark logs no state past STARTING for a flow whose name needs backticks: its
        stream listener parses the flow's name again, unquoted, and fails (StreamListener.
        getFlowFromStreamName: INVALID_IDENTIFIER in the server log). The flow still runs; its
        outcome is then the run's, which completes only when every flow did."""
        flow = self.flows.get(table)
        if flow is not None and flow.state == "STARTING" and quoted(table) != table:
            completed = self.returncode == 0 and _RUN_COMPLETED in self.log
            return FlowOutcome("COMPLETED") if completed else flow
        if flow is not None:
            return flow
        failures = _RUN_FAILURE.findall(self.log)
        message = failures[-1] if failures else f"exit code {self.returncode}"
        error = _ERROR_CLASS.match(message)
        return FlowOutcome("NOT STARTED", error.group(1) if error else "", message)


# "Flow cdc.synced.`order-lines` is RUNNING": the last part of the flow's name, backticks and all.
_FLOW_STATE = re.compile(r"Flow '?(?:(?:`[^`]*`|[\w-]+)\.)*(`[^`]*`|[\w-]+)'? (?:is|has) ([A-Z_]+)")
_RUN_COMPLETED = "Run is COMPLETED."
_FLOW_ERROR = re.compile(r"^Error: (.*)")
_ERROR_CLASS = re.compile(r"\[([A-Z_.]+)\]")
_RUN_FAILURE = re.compile(r"^pyspark\.errors\.exceptions\.[\w.]+: (.*)$", re.MULTILINE)


def _outcomes(log: str) -> dict[str, FlowOutcome]:
    flows: dict[str, FlowOutcome] = {}
    last = None
    for line in log.splitlines():
        state = _FLOW_STATE.search(line)
        if state:
            last = state.group(1).strip("`")
            flows.setdefault(last, FlowOutcome(state.group(2)))
            flows[last].state = state.group(2)
            continue
        error = _FLOW_ERROR.match(line)
        if error and last is not None and flows[last].state == "FAILED":
            error_class = _ERROR_CLASS.match(error.group(1))
            flows[last].error = error_class.group(1) if error_class else ""
            flows[last].message = error.group(1)
    return flows


class SparkEngine:
    """The server, a client session on it, and pipeline runs against it."""

    def __init__(self, workdir: Path, cache: Path) -> None:
        self.workdir = workdir
        self.cache = cache
        self.port = _free_port()
        self.url = f"sc://127.0.0.1:{self.port}"
        self._server: subprocess.Popen[str] | None = None
        self._session: SparkSession | None = None
        self._log: IO[str] | None = None
        self._copier: threading.Thread | None = None

    def start(self) -> None:
        bin_dir = Path(sys.executable).parent
        delta = delta_package()
        confs = {
            "spark.jars.ivy": str(self.cache / "ivy"),
            TARGET_CATALOG_CONF: ROW_LEVEL_CATALOG,
            "spark.jars": str(row_level_catalog_jar(self.cache)),
            "spark.sql.warehouse.dir": str(self.workdir / "warehouse"),
            "spark.connect.grpc.binding.address": "127.0.0.1",
            "spark.connect.grpc.binding.port": str(self.port),
            "spark.ui.enabled": "false",
            # Tables of a few rows on two cores: Spark's defaults (200 shuffle partitions, Delta's
            # 50 for log replay) turn each statement into tens of seconds of empty tasks.
            "spark.sql.shuffle.partitions": "2",
            "spark.default.parallelism": "2",
        }
        if delta is not None:
            confs |= {
                "spark.sql.extensions": "io.delta.sql.DeltaSparkSessionExtension",
                "spark.sql.catalog.spark_catalog": "org.apache.spark.sql.delta.catalog.DeltaCatalog",
                # Databricks' default format: the tables a pipeline creates are Delta tables there too.
                "spark.sql.sources.default": "delta",
                "spark.databricks.delta.snapshotPartitions": "2",
            }
        command = [
            str(bin_dir / "spark-submit"),
            "--class",
            "org.apache.spark.sql.connect.service.SparkConnectServer",
            *(["--packages", delta] if delta is not None else []),
            *[arg for key, value in confs.items() for arg in ("--conf", f"{key}={value}")],
            "spark-internal",
        ]
        log = self._log = (self.workdir / "server.log").open("w", encoding="utf-8")
        self._server = subprocess.Popen(
            command,
            cwd=self.workdir,
            env=_spark_env(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        started = threading.Event()
        assert self._server.stdout is not None
        self._copier = threading.Thread(
            target=_copy_lines, args=(self._server.stdout, log, started), daemon=True
        )
        self._copier.start()
        if not started.wait(START_TIMEOUT_S) or self._server.poll() is not None:
            self.stop()
            raise RuntimeError(f"Spark Connect server did not start; see {self.workdir / 'server.log'}")

    @property
    def spark(self) -> SparkSession:
        if self._session is None:
            self._session = SparkSession.builder.remote(self.url).getOrCreate()
        return self._session

    def sql(self, statement: str) -> None:
        self.spark.sql(statement).collect()

    def rows(self, table: str, columns: list[str]) -> list[tuple[Any, ...]]:
        """The table's rows, sorted, as tuples of the named columns."""
        selected = self.spark.table(table).select(*(quoted(column) for column in columns))
        return sorted(tuple(row) for row in selected.collect())

    def run_pipeline(self, spec: Path) -> PipelineRun:
        result = subprocess.run(
            [
                str(Path(sys.executable).parent / "spark-pipelines"),
                "--remote",
                self.url,
                "run",
                "--spec",
                str(spec),
            ],
            cwd=spec.parent,
            env=_spark_env(),
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT_S,
            check=False,
        )
        log = result.stdout + result.stderr
        with (spec.parent / "runs.log").open("a", encoding="utf-8") as kept:
            kept.write(log)
        return PipelineRun(result.returncode, log, _outcomes(log))

    def stop(self) -> None:
        if self._session is not None:
            self._session.stop()
            self._session = None
        if self._server is not None and self._server.poll() is None:
            self._server.terminate()
            try:
                self._server.wait(60)
            except subprocess.TimeoutExpired:
                self._server.kill()
                self._server.wait()
        if self._copier is not None:
            self._copier.join(10)  # the server's last lines, before its log is closed
        if self._log is not None:
            self._log.close()
            self._log = None


def _copy_lines(stream: IO[str], log: IO[str], started: threading.Event) -> None:
    for line in stream:
        log.write(line)
        if SERVER_STARTED in line:
            log.flush()
            started.set()
    log.flush()
    started.set()  # the server exited: stop waiting (start() then sees it is gone)


@contextmanager
def spark_engine(workdir: Path, cache: Path) -> Iterator[SparkEngine]:
    engine = SparkEngine(workdir, cache)
    engine.start()
    try:
        yield engine
    finally:
        engine.stop()


def write_project(directory: Path, libraries: dict[str, str], catalog: str, database: str) -> Path:
    """A `spark-pipelines` project: the spec and one library file per generated source."""
    (directory / "transformations").mkdir(parents=True, exist_ok=True)
    for name, source in libraries.items():
        (directory / "transformations" / f"{name}.py").write_text(source, encoding="utf-8")
    spec = {
        "name": "sharepack_generated",
        "storage": (directory / "storage").as_uri(),
        "catalog": catalog,
        "database": database,
        # A failed flow is reported once, not retried with back-off (Databricks retries; the
        # outcome the tests read is the same, minutes sooner).
        "configuration": {"spark.sql.pipelines.maxFlowRetryAttempts": "0"},
        "libraries": [{"glob": {"include": "transformations/**"}}],
    }
    path = directory / "spark-pipeline.yml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return path

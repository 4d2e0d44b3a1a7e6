"""What the origin service's files mean when they say it their way: SCD 1 with no keys, a Quartz
cron with both day fields, `schedule: {action: remove}`, and a pack named by its project."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from sharepack.desired.build import desired_state
from sharepack.errors import SpecError
from sharepack.pack import load_pack
from sharepack.pack.convert import convert
from sharepack.schedule.cron import to_quartz
from sharepack.schedule.errors import CronError
from tests.pack.helpers import REPO

FIXTURES = REPO / "tests" / "fixtures" / "origin_shaped"

PIPELINE = """\
metadata: {{name: p}}
share:
  - name: s
    share_assets: [main.sales.orders]
    pipelines:
      - name_prefix: orders_sync
        source_asset: main.sales.orders
        scd_type: "1"
        key_columns: ""
        schedule: {schedule}
"""


def test_scd_1_with_empty_keys_is_a_full_copy_with_a_warning_at_its_scd_type(
    pack_file: Callable[..., Path],
) -> None:
    pack = load_pack(pack_file(PIPELINE.format(schedule='"0 0 2 * * ?"')))
    assert pack.pipelines[0].scd_type == "full_refresh"
    config = desired_state(pack).pipelines[0].spec["configuration"]
    assert config["pipelines.scd_type"] == "full_refresh"
    assert "pipelines.keys" not in config
    (notice,) = pack.notices
    assert (notice.line, notice.col) == (8, 19)
    assert 'is scd_type "1" with no key_columns' in notice.message
    assert "planned as full_refresh" in notice.message
    assert notice.hint is not None and "key_columns" in notice.hint


def test_a_cron_with_one_star_day_field_is_sent_with_a_question_mark_and_says_so(
    pack_file: Callable[..., Path],
) -> None:
    text = PIPELINE.format(schedule='{cron: "0 0 9-17 * * MON-FRI", timezone: UTC}').replace(
        'key_columns: ""', "key_columns: id"
    )
    pack = load_pack(pack_file(text))
    job = desired_state(pack).jobs[0]
    assert job.settings["schedule"]["quartz_cron_expression"] == "0 0 9-17 ? * MON-FRI"
    (notice,) = pack.notices
    assert notice.line == 10
    assert "'0 0 9-17 * * MON-FRI' sets both day-of-month and day-of-week" in notice.message
    assert "the schedule sent is '0 0 9-17 ? * MON-FRI'" in notice.message


def test_both_specific_day_fields_stay_refused_with_a_hint_in_the_users_own_hours() -> None:
    with pytest.raises(CronError) as caught:
        to_quartz("0 30 9-17 1 * MON")
    assert "'0 30 9-17 ? * MON'" in str(caught.value)
    assert "'0 30 9-17 1 * ?'" in str(caught.value)


def test_schedule_action_remove_means_no_schedule_and_its_job_removed(
    pack_file: Callable[..., Path],
) -> None:
    text = "pipeline_defaults: {schedule: '0 0 1 * * ?'}\n" + PIPELINE.format(schedule='{action: "remove"}')
    pack = load_pack(pack_file(text))
    assert pack.pipelines[0].schedule is None
    desired = desired_state(pack)
    assert desired.jobs == ()
    assert desired.removed_jobs == ("orders_sync_schedule",)


@pytest.mark.parametrize(
    ("metadata", "name", "identity"),
    [
        ('{name: given, project_name: "Q1 2025 Finance"}', "given", "metadata.name"),
        ('{project_name: "Q1 2025 Finance Reporting"}', "q1_2025_finance_reporting", "metadata.project_name"),
        ("{owner: a@example.com}", "file_named", "file name"),
    ],
)
def test_a_packs_identity_is_its_name_else_its_project_else_its_file(
    pack_file: Callable[..., Path], metadata: str, name: str, identity: str
) -> None:
    text = PIPELINE.format(schedule="continuous").replace("metadata: {name: p}", f"metadata: {metadata}")
    pack = load_pack(pack_file(text, "file_named.yaml"))
    assert (pack.name, pack.identity) == (name, identity)


def test_the_new_and_update_files_of_one_project_are_one_pack() -> None:
    new = load_pack(FIXTURES / "finance_NEW.yaml")
    update = load_pack(FIXTURES / "finance_UPDATE.yaml")
    assert new.name == update.name == "q1_2025_finance_reporting"


def test_validate_and_plan_agree_every_origin_shaped_pack_is_valid() -> None:
    for path in sorted(FIXTURES.glob("*.yaml")):
        desired_state(load_pack(path))  # raises if either stage refuses


def test_convert_writes_the_identity_as_name_and_project_name(tmp_path: Path) -> None:
    book = tmp_path / "finance.xlsx"
    convert(FIXTURES / "template_pack.yaml", book)
    back = tmp_path / "any_other_name.yaml"
    convert(book, back)
    metadata = yaml.safe_load(back.read_text(encoding="utf-8"))["metadata"]
    assert metadata["name"] == "template_project"
    assert metadata["project_name"] == "Template Project"
    assert load_pack(back).name == load_pack(FIXTURES / "template_pack.yaml").name


def test_a_placeholder_metastore_id_says_where_the_real_one_is(pack_file: Callable[..., Path]) -> None:
    text = """\
metadata: {name: m}
recipient:
  - {name: r, type: D2D, recipient_databricks_org: "aws:us-west-2:abc-123-def-456"}
"""
    with pytest.raises(SpecError) as caught:
        load_pack(pack_file(text))
    (problem,) = caught.value.problems
    assert problem.hint is not None and "databricks metastores summary" in problem.hint


def test_the_cron_command_reads_one_star_day_field_as_a_pack_does(cli: Any) -> None:
    result = cli("cron", "0 0 9-17 * * MON-FRI", "-n", "1")
    assert result.code == 0, result.output
    assert "quartz      0 0 9-17 ? * MON-FRI" in result.stdout
    assert "the '*' one means any day, sent as '0 0 9-17 ? * MON-FRI'" in result.stdout
    refused = cli("cron", "0 0 9-17 1 * MON")
    assert refused.code == 1
    assert "'0 0 9-17 ? * MON' or '0 0 9-17 1 * ?'" in refused.output

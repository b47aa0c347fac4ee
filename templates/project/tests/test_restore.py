"""`python -m ops.restore` against moto's DynamoDB.

What moto does not do, and so what these tests cannot show: moto's RestoreTableToPointInTime
copies the table as it is now (it ignores the time), the new table is ACTIVE at once, its
restorable window is the moment recovery was enabled, and BatchWriteItem never leaves items
unprocessed. The tests therefore change the live table after the restore (the "bad writes"
the restore undoes), check the request the script sends, and stand in for the waiter and for
unprocessed items where they must.
"""

from __future__ import annotations

import runpy
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.exceptions import WaiterError
from moto import mock_aws

from infra.database import HASH_KEY
from ops import restore

REGION = "us-west-2"
TABLE = "demo-items-dev"


@pytest.fixture(scope="module")
def moto() -> Iterator[Any]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_ACCESS_KEY_ID", "testing")
        patch.setenv("AWS_SECRET_ACCESS_KEY", "testing")  # pragma: allowlist secret
        with mock_aws() as session:
            yield session


@pytest.fixture
def client(moto: Any) -> Any:
    """A live table with point-in-time recovery and three items (and /health's key)."""
    moto.reset()
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    dynamodb.create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    dynamodb.update_continuous_backups(
        TableName=TABLE, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
    )
    for key in ("a", "b", "c", "__health__"):
        put(dynamodb, TABLE, key, "good")
    return dynamodb


def put(client: Any, table: str, key: str, data: str) -> None:
    client.put_item(TableName=table, Item={"pk": {"S": key}, "data": {"S": data}})


def contents(client: Any, table: str) -> dict[str, str]:
    items = client.scan(TableName=table, ConsistentRead=True)["Items"]
    return {item["pk"]["S"]: item["data"]["S"] for item in items}


def restorable(client: Any) -> datetime:
    """The one time moto can restore to: when recovery was enabled."""
    found = client.describe_continuous_backups(TableName=TABLE)
    latest: datetime = found["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"][
        "LatestRestorableDateTime"
    ]
    return latest.astimezone(UTC)


def args(*extra: str) -> Any:
    return restore.parser().parse_args(["--table", TABLE, "--region", REGION, *extra])


def at(moment: datetime) -> str:
    return moment.isoformat()


def corrupt_after_restoring(monkeypatch: pytest.MonkeyPatch, client: Any) -> list[dict[str, Any]]:
    """Bad writes to the live table after the restored time; the restore requests sent."""
    sent: list[dict[str, Any]] = []
    real = restore.restore

    def restore_then_corrupt(*given: Any) -> None:
        real(*given)
        for key in ("a", "b", "__health__"):
            put(client, TABLE, key, "bad")
        put(client, TABLE, "new", "written later")

    def record(params: dict[str, Any], **_: Any) -> None:
        sent.append(params)

    client.meta.events.register("provide-client-params.dynamodb.RestoreTableToPointInTime", record)
    monkeypatch.setattr(restore, "restore", restore_then_corrupt)
    return sent


def test_the_hash_key_is_the_tables() -> None:
    assert restore.HASH_KEY == HASH_KEY


def test_restores_then_copies_every_item_back(
    client: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    moment = restorable(client)
    sent = corrupt_after_restoring(monkeypatch, client)
    assert restore.run(args("--time", at(moment), "--yes"), client) == 0
    target = f"{TABLE}-restored-{moment:%Y%m%dT%H%M%SZ}"
    assert sent == [
        {"SourceTableName": TABLE, "TargetTableName": target, "RestoreDateTime": moment}
    ]
    # the bad writes are undone, a later item is kept, /health's key is never copied back
    assert contents(client, TABLE) == {
        "a": "good",
        "b": "good",
        "c": "good",
        "new": "written later",
        "__health__": "bad",
    }
    assert target in client.list_tables()["TableNames"], "kept unless --delete-restored"
    out = capsys.readouterr().out
    assert f"copied 3 items from {target!r} into {TABLE!r}\n" in out
    assert f"delete-table --region {REGION} --table-name {target}\n" in out


def test_copies_only_the_given_keys_and_deletes_the_restored_table(
    client: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    moment = restorable(client)
    corrupt_after_restoring(monkeypatch, client)
    given = args("--time", at(moment), "--yes", "--key", "a", "--key", "gone", "--delete-restored")
    assert restore.run(given, client) == 0
    assert contents(client, TABLE)["a"] == "good"
    assert contents(client, TABLE)["b"] == "bad", "only the given keys"
    assert client.list_tables()["TableNames"] == [TABLE]
    out = capsys.readouterr().out
    assert "'gone' is not in" in out and "copied 1 items" in out


def test_a_dry_run_plans_and_changes_nothing(
    client: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    moment = restorable(client)
    assert restore.run(args("--time", at(moment), "--dry-run"), client) == 0
    assert client.list_tables()["TableNames"] == [TABLE]
    assert capsys.readouterr().out.startswith(f"dry run: would restore {TABLE!r} as of ")


def test_copies_from_a_table_restored_earlier_and_its_dry_run_counts(
    client: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    client.restore_table_to_point_in_time(SourceTableName=TABLE, TargetTableName="earlier")
    put(client, TABLE, "c", "bad")
    assert restore.run(args("--from-table", "earlier", "--dry-run"), client) == 0
    assert "dry run: 3 items would be copied" in capsys.readouterr().out
    assert contents(client, TABLE)["c"] == "bad"
    assert restore.run(args("--from-table", "earlier", "--yes"), client) == 0
    assert contents(client, TABLE)["c"] == "good"


def test_a_key_missing_from_the_restored_table_copies_nothing(
    client: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    client.restore_table_to_point_in_time(SourceTableName=TABLE, TargetTableName="earlier")
    assert restore.run(args("--from-table", "earlier", "--key", "gone", "--yes"), client) == 0
    assert "copied 0 items from 'earlier'" in capsys.readouterr().out


def test_writes_in_batches_and_sends_unprocessed_items_again(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    for index in range(57):
        put(client, TABLE, f"item-{index}", "good")
    client.restore_table_to_point_in_time(SourceTableName=TABLE, TargetTableName="earlier")
    sizes: list[int] = []
    real = client.batch_write_item
    monkeypatch.setattr(restore.time, "sleep", lambda seconds: None)

    def first_one_left_over(RequestItems: dict[str, Any]) -> dict[str, Any]:
        sizes.append(len(RequestItems[TABLE]))
        real(RequestItems=RequestItems)
        if len(sizes) == 1:  # DynamoDB may leave some: here the first batch's last item
            return {"UnprocessedItems": {TABLE: RequestItems[TABLE][-1:]}}
        return {"UnprocessedItems": {}}

    monkeypatch.setattr(client, "batch_write_item", first_one_left_over)
    assert restore.run(args("--from-table", "earlier", "--yes"), client) == 0
    assert sizes == [25, 1, 25, 10]


def test_items_left_unprocessed_every_time_are_an_error(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    client.restore_table_to_point_in_time(SourceTableName=TABLE, TargetTableName="earlier")
    waits: list[float] = []
    monkeypatch.setattr(restore.time, "sleep", waits.append)
    monkeypatch.setattr(
        client, "batch_write_item", lambda RequestItems: {"UnprocessedItems": RequestItems}
    )
    with pytest.raises(restore.RestoreError, match="left 3 items unprocessed; run again"):
        restore.run(args("--from-table", "earlier", "--yes"), client)
    assert len(waits) == restore.UNPROCESSED_RETRIES + 1 and max(waits) == 5.0


def test_a_restore_that_is_not_active_in_time_says_how_to_go_on(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    moment = restorable(client)
    waited: list[dict[str, Any]] = []

    class Slow:
        def wait(self, **given: Any) -> None:
            waited.append(given)
            raise WaiterError("TableExists", "Max attempts exceeded", {})

    monkeypatch.setattr(client, "get_waiter", lambda name: Slow())
    with pytest.raises(restore.RestoreError, match="--from-table demo-items-dev-restored-"):
        restore.run(args("--time", at(moment), "--yes", "--wait-minutes", "5"), client)
    assert waited[0]["WaiterConfig"] == {"Delay": 20, "MaxAttempts": 15}


@pytest.mark.parametrize(
    ("answer", "expected"), [("yes\n", 0), ("no\n", 1), ("", 1)], ids=["yes", "no", "eof"]
)
def test_asks_before_changing_anything(
    client: Any,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    answer: str,
    expected: int,
) -> None:
    client.restore_table_to_point_in_time(SourceTableName=TABLE, TargetTableName="earlier")
    put(client, TABLE, "a", "bad")
    monkeypatch.setattr(restore.sys.stdin, "isatty", lambda: True)
    lines = iter(answer.splitlines())
    monkeypatch.setattr("builtins.input", lambda prompt: next(lines) if answer else _eof())
    assert restore.run(args("--from-table", "earlier"), client) == expected
    assert contents(client, TABLE)["a"] == ("good" if expected == 0 else "bad")
    if expected:
        assert capsys.readouterr().out.endswith("nothing done\n")


def _eof() -> str:
    raise EOFError


def test_without_a_terminal_it_wants_yes(
    client: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(restore.sys.stdin, "isatty", lambda: False)
    monkeypatch.setattr(restore.boto3, "client", lambda *a, **k: client)
    moment = restorable(client)
    assert restore.main(["--table", TABLE, "--region", REGION, "--time", at(moment)]) == 1
    assert capsys.readouterr().err == (
        "restore: error: no terminal to confirm at: add --yes to go on without asking\n"
    )
    assert client.list_tables()["TableNames"] == [TABLE]


def test_a_time_outside_the_window_is_refused(
    client: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(restore.boto3, "client", lambda *a, **k: client)
    moment = restorable(client) - timedelta(days=1)
    argv = ["--table", TABLE, "--region", REGION, "--time", at(moment), "--yes"]
    assert restore.main(argv) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"restore: error: {moment:%Y-%m-%dT%H:%M:%SZ} is outside ")
    assert err.count("\n") == 1


def test_a_table_without_point_in_time_recovery_is_refused(client: Any) -> None:
    client.update_continuous_backups(
        TableName=TABLE, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": False}
    )
    with pytest.raises(restore.RestoreError, match="point-in-time recovery is not enabled"):
        restore.run(args("--time", at(datetime.now(UTC)), "--yes"), client)


def test_an_aws_error_is_one_line(
    client: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(restore.boto3, "client", lambda *a, **k: client)
    argv = ["--table", "nope", "--region", REGION, "--from-table", "x", "--yes"]
    assert restore.main(argv) == 1
    err = capsys.readouterr().err
    assert err.startswith("restore: error: An error occurred (ResourceNotFoundException)")
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("yesterday", "'yesterday' is not an ISO 8601 time, e.g. 2026-12-06T20:15:00Z"),
        ("2026-12-06T20:15:00", "'2026-12-06T20:15:00' has no time zone: add Z or an offset"),
    ],
)
def test_a_time_must_be_iso_8601_with_its_zone(
    capsys: pytest.CaptureFixture[str], text: str, error: str
) -> None:
    with pytest.raises(SystemExit) as exited:
        restore.main(["--table", TABLE, "--region", REGION, "--time", text])
    assert exited.value.code == 2
    assert capsys.readouterr().err.endswith(f"argument --time: {error}\n")


def test_an_offset_is_converted_to_utc() -> None:
    assert restore.parse_time("2026-12-06T21:15:00+01:00") == datetime(
        2026, 12, 6, 20, 15, tzinfo=UTC
    )


def test_runs_as_a_module(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(restore.sys, "argv", ["ops.restore", "--help"])
    monkeypatch.delitem(sys.modules, "ops.restore")  # run it afresh, as `python -m` does
    with pytest.raises(SystemExit) as exited:
        runpy.run_module("ops.restore", run_name="__main__")
    assert exited.value.code == 0
    assert "--from-table" in capsys.readouterr().out

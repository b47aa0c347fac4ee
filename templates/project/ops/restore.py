"""Restore the items table to a point in time and copy the items back into the live table.

    python -m ops.restore --table <tableName> --region <region> --time 2026-12-06T20:15:00Z

Point-in-time recovery never restores in place: RestoreTableToPointInTime creates a NEW
table, in one region, with no stream, no replicas, no tags and no alarms
(https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_RestoreTableToPointInTime.html).
So this script restores into a temporary table, waits until it is ACTIVE, then writes its
items (all, or the `--key`s given) into the live global table through the region given,
whose replication carries them to every other region. Each copied item overwrites the live
item with the same key; items created after that time are kept. Every replica has
point-in-time recovery, so any region of the stack works, also when the primary is down.

It needs only the stack outputs (`tableName`, a region) and credentials allowed
`dynamodb:DescribeTable`, `DescribeContinuousBackups`, `RestoreTableToPointInTime`, `Scan`,
`GetItem`, `BatchWriteItem` and `DeleteTable` (plus the restore's own write permissions on
the new table, see the page above).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, WaiterError

#: The table's partition key (`infra/database.py`'s HASH_KEY; a test keeps them equal).
HASH_KEY = "pk"
#: Keys the service writes for itself (`/health`'s): never copied back, a restored one is stale.
RESERVED_PREFIX = "__"
#: BatchWriteItem takes at most 25 puts per call and may leave some unprocessed, to be sent
#: again (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html).
BATCH_SIZE = 25
#: Restores of small tables take minutes, large ones hours; DescribeTable is polled this often.
POLL_SECONDS = 20
DEFAULT_WAIT_MINUTES = 240
#: Waits before sending unprocessed items again (doubling, at most this many times).
UNPROCESSED_RETRIES = 8
#: An operator's script can wait for throttles: standard retries, more attempts than default.
CLIENT_CONFIG = Config(retries={"mode": "standard", "total_max_attempts": 10})
EXIT_FAILED = 1


class RestoreError(Exception):
    """Something the operator must see and act on: printed as one line, exit 1."""


def parse_time(text: str) -> datetime:
    """An ISO 8601 time with its offset (`Z` or `+01:00`): a restore time must not guess."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an ISO 8601 time, e.g. 2026-12-06T20:15:00Z"
        ) from None
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{text!r} has no time zone: add Z or an offset")
    return moment.astimezone(UTC)


def parser() -> argparse.ArgumentParser:
    """The command line (see the README's runbook)."""
    cli = argparse.ArgumentParser(
        prog="python -m ops.restore",
        description="Restore the table to a point in time into a new table, then copy its "
        "items back into the live global table.",
    )
    cli.add_argument("--table", required=True, help="the live table (stack output tableName)")
    cli.add_argument("--region", required=True, help="a region of the stack that is up")
    source = cli.add_mutually_exclusive_group(required=True)
    source.add_argument("--time", type=parse_time, help="restore to this time (ISO 8601)")
    source.add_argument(
        "--from-table", help="copy from a table restored earlier, without a new restore"
    )
    cli.add_argument(
        "--key", action="append", default=[], help="copy only this item id (repeatable)"
    )
    cli.add_argument("--dry-run", action="store_true", help="check and plan; change nothing")
    cli.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    cli.add_argument(
        "--delete-restored",
        action="store_true",
        help="delete the temporary table after copying (default: keep it)",
    )
    cli.add_argument(
        "--wait-minutes",
        type=int,
        default=DEFAULT_WAIT_MINUTES,
        help=f"how long to wait for the restore (default {DEFAULT_WAIT_MINUTES})",
    )
    return cli


def restored_name(table: str, moment: datetime) -> str:
    """The temporary table's name: the live one's, and the time it holds."""
    return f"{table}-restored-{moment:%Y%m%dT%H%M%SZ}"


def check_window(client: Any, table: str, moment: datetime) -> None:
    """The time must lie in the table's restorable window (DescribeContinuousBackups)."""
    found = client.describe_continuous_backups(TableName=table)
    pitr = found["ContinuousBackupsDescription"].get("PointInTimeRecoveryDescription", {})
    if pitr.get("PointInTimeRecoveryStatus") != "ENABLED":
        raise RestoreError(f"point-in-time recovery is not enabled on {table!r}")
    earliest = pitr["EarliestRestorableDateTime"].astimezone(UTC)
    latest = pitr["LatestRestorableDateTime"].astimezone(UTC)
    if not earliest <= moment <= latest:
        raise RestoreError(
            f"{moment:%Y-%m-%dT%H:%M:%SZ} is outside {table!r}'s restorable window, "
            f"{earliest:%Y-%m-%dT%H:%M:%SZ} to {latest:%Y-%m-%dT%H:%M:%SZ}"
        )


def restore(client: Any, table: str, target: str, moment: datetime, wait_minutes: int) -> None:
    """Start the restore and wait until the new table is ACTIVE."""
    client.restore_table_to_point_in_time(
        SourceTableName=table, TargetTableName=target, RestoreDateTime=moment
    )
    print(f"restoring {table!r} as of {moment:%Y-%m-%dT%H:%M:%SZ} into {target!r} ...")
    waiter = client.get_waiter("table_exists")
    attempts = max(1, wait_minutes * 60 // POLL_SECONDS)
    try:
        waiter.wait(TableName=target, WaiterConfig={"Delay": POLL_SECONDS, "MaxAttempts": attempts})
    except WaiterError:
        raise RestoreError(
            f"{target!r} is not ACTIVE after {wait_minutes} min; the restore goes on: "
            f"run again with --from-table {target} once it is"
        ) from None


def items_of(client: Any, table: str, keys: list[str]) -> Iterator[dict[str, Any]]:
    """The restored items to copy: every item (a consistent scan), or the given keys."""
    if keys:
        for key in keys:
            found = client.get_item(
                TableName=table, Key={HASH_KEY: {"S": key}}, ConsistentRead=True
            )
            if "Item" in found:
                yield found["Item"]
            else:
                print(f"  {key!r} is not in {table!r} (it did not exist then): left as it is")
        return
    for page in client.get_paginator("scan").paginate(TableName=table, ConsistentRead=True):
        yield from page["Items"]


def batches(items: Iterable[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    """The service's own keys left out, in BatchWriteItem's chunks."""
    batch: list[dict[str, Any]] = []
    for item in items:
        if item[HASH_KEY]["S"].startswith(RESERVED_PREFIX):
            continue
        batch.append(item)
        if len(batch) == BATCH_SIZE:
            yield batch
            batch = []
    if batch:
        yield batch


def write(client: Any, table: str, batch: list[dict[str, Any]]) -> None:
    """Put one batch, sending what DynamoDB left unprocessed again with a growing wait."""
    requests = {table: [{"PutRequest": {"Item": item}} for item in batch]}
    for attempt in range(UNPROCESSED_RETRIES + 1):
        requests = client.batch_write_item(RequestItems=requests)["UnprocessedItems"]
        if not requests:
            return
        time.sleep(min(2**attempt * 0.1, 5.0))
    raise RestoreError(f"DynamoDB left {len(requests[table])} items unprocessed; run again")


def copy(client: Any, source: str, table: str, keys: list[str], dry_run: bool) -> int:
    """Copy the items from the restored table into the live one; how many (would be) copied."""
    copied = 0
    for batch in batches(items_of(client, source, keys)):
        if not dry_run:
            write(client, table, batch)
        copied += len(batch)
    return copied


def confirmed(question: str) -> bool:
    """Ask at a terminal; anything but `yes` (or no terminal at all) is a no."""
    if not sys.stdin.isatty():
        raise RestoreError("no terminal to confirm at: add --yes to go on without asking")
    try:
        return input(f"{question} Type yes to go on: ").strip() == "yes"
    except EOFError:
        return False


def run(args: argparse.Namespace, client: Any) -> int:
    """Check, plan, confirm, restore, copy, clean up."""
    client.describe_table(TableName=args.table)  # the live table is there, in this region
    if args.from_table is not None:
        source = args.from_table
        client.describe_table(TableName=source)
        plan = f"copy {'the given' if args.key else 'every'} item of {source!r}"
    else:
        check_window(client, args.table, args.time)
        source = restored_name(args.table, args.time)
        plan = (
            f"restore {args.table!r} as of {args.time:%Y-%m-%dT%H:%M:%SZ} into {source!r} "
            f"(region {args.region}), then copy {'the given' if args.key else 'every'} item"
        )
    plan += f" into the live {args.table!r}, overwriting the items with the same keys"
    if args.dry_run:
        print(f"dry run: would {plan}")
        if args.from_table is not None:
            count = copy(client, source, args.table, args.key, dry_run=True)
            print(f"dry run: {count} items would be copied")
        return 0
    if not args.yes and not confirmed(f"This will {plan}."):
        print("nothing done")
        return EXIT_FAILED
    if args.from_table is None:
        restore(client, args.table, source, args.time, args.wait_minutes)
    count = copy(client, source, args.table, args.key, dry_run=False)
    print(f"copied {count} items from {source!r} into {args.table!r}")
    if args.delete_restored:
        client.delete_table(TableName=source)
        print(f"deleted {source!r}")
    else:
        print(
            f"kept {source!r}; delete it when done: aws dynamodb delete-table "
            f"--region {args.region} --table-name {source}"
        )
    return 0


def main(argv: list[str] | None = None) -> int:
    """The command; AWS errors and refusals are one line on stderr and exit 1."""
    args = parser().parse_args(argv)
    client = boto3.client("dynamodb", region_name=args.region, config=CLIENT_CONFIG)
    try:
        return run(args, client)
    except RestoreError as error:
        print(f"restore: error: {error}", file=sys.stderr)
    except (BotoCoreError, ClientError) as error:
        print(f"restore: error: {error}", file=sys.stderr)
    return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())

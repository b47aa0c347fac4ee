"""Take a region out of service, or put it back, with data-plane writes only.

    pulumi stack output --json > outputs.json     # once, kept where an outage cannot reach
    python -m ops.drain --outputs outputs.json us-east-1            # drain
    python -m ops.drain --outputs outputs.json --undo us-east-1     # put it back
    python -m ops.drain --table T --regions us-east-1,us-west-2 --via us-west-2 us-east-1

For a gray failure: a region that still passes its health checks but serves badly. The
switch is an item in the stack's global table (`__drained__#<region>`, `drained`: BOOL),
written through one region's endpoint (the drained region's own, or `--via` another's, for
when its APIs are the problem) and replicated to every region by DynamoDB. The drained
region's `/health` answers 503 at its next call once the item reached its replica (global
tables replicate typically within a second), and its other answers carry
`x-region-drained: true` within DRAIN_CACHE_SECONDS (app/handler.py). Route 53, or clients,
then move away.

Nothing here needs the Pulumi CLI, a deploy or a control-plane call: only boto3, the stack's
outputs (`tableName`, `regions`) and credentials allowed what `ops/drain-policy.json` grants.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

#: The flag's key (app/handler.py's DRAINED_PREFIX; a test keeps them equal).
DRAINED_PREFIX = "__drained__#"
HASH_KEY = "pk"
#: app/handler.py's DRAIN_CACHE_SECONDS (a test keeps them equal).
DRAIN_CACHE_SECONDS = 5.0
#: Route 53's timing (infra/dns.py's HEALTH_CHECK_INTERVAL_SECONDS x FAILURE_THRESHOLD, and the
#: alias target's TTL; a test keeps them equal): the README's figures.
HEALTH_CHECK_SECONDS = 90
DNS_TTL_SECONDS = 60
#: DynamoDB global tables replicate "typically within a second"; this is the budget printed
#: (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/V2globaltables_HowItWorks.html).
REPLICATION_SECONDS = 1
#: An operator's tool during an incident: short timeouts, a few standard retries.
CLIENT_CONFIG = Config(
    connect_timeout=2, read_timeout=5, retries={"mode": "standard", "total_max_attempts": 3}
)
EXIT_FAILED = 1
AWS_ERRORS = (BotoCoreError, ClientError)


class DrainError(Exception):
    """Something the operator must see and act on: printed as one line, exit 1."""


def flag_key(region: str) -> str:
    """The key of a region's drain flag."""
    return DRAINED_PREFIX + region


def set_drained(client: Any, table: str, region: str, drained: bool, *, by: str) -> None:
    """Write one region's flag (who and when, for the incident's record)."""
    client.put_item(
        TableName=table,
        Item={
            HASH_KEY: {"S": flag_key(region)},
            "drained": {"BOOL": drained},
            "by": {"S": by},
            "at": {"N": str(int(time.time()))},
        },
    )


def drained_regions(client: Any, table: str, regions: list[str]) -> list[str]:
    """The regions whose flag is set, as the client's region's replica holds them (one
    strongly consistent BatchGetItem of the flag items only). A flag DynamoDB left
    unprocessed is read again; one still unread is an error, never a guess."""
    keys: list[dict[str, Any]] = [{HASH_KEY: {"S": flag_key(region)}} for region in regions]
    found: dict[str, bool] = {}
    for _ in range(3):
        answer = client.batch_get_item(RequestItems={table: {"Keys": keys, "ConsistentRead": True}})
        for item in answer["Responses"].get(table, []):
            found[item[HASH_KEY]["S"]] = bool(item.get("drained", {}).get("BOOL", False))
        keys = answer.get("UnprocessedKeys", {}).get(table, {}).get("Keys", [])
        if not keys:
            return [region for region in regions if found.get(flag_key(region), False)]
    raise DrainError(f"DynamoDB left {len(keys)} drain flags unread; run again")


@dataclass(frozen=True)
class Stack:
    """What the tools need of the stack: the table, the regions (primary first), and
    whether Route 53 moves the traffic (`customUrl` exported)."""

    table: str
    regions: list[str]
    route53: bool


def stack_from_outputs(outputs: dict[str, Any]) -> Stack:
    """The stack from `pulumi stack output --json`."""
    try:
        table, regions = outputs["tableName"], outputs["regions"]
    except KeyError as missing:
        raise DrainError(
            f"the outputs have no {missing.args[0]!r}: save them with `pulumi stack output "
            "--json` after a `pulumi up` of this version"
        ) from None
    if not isinstance(table, str) or not isinstance(regions, list) or not regions:
        raise DrainError("the outputs' tableName must be a name and regions a list of regions")
    return Stack(table=table, regions=[str(r) for r in regions], route53="customUrl" in outputs)


def read_outputs(path: Path) -> dict[str, Any]:
    """A saved `pulumi stack output --json`, as a JSON object."""
    try:
        outputs = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise DrainError(f"cannot read the outputs file {str(path)!r}: {error.strerror}") from None
    except ValueError:
        raise DrainError(
            f"the outputs file {str(path)!r} is not JSON: save `pulumi stack output --json`"
        ) from None
    if not isinstance(outputs, dict):
        raise DrainError(f"the outputs file {str(path)!r} is not a JSON object of outputs")
    return outputs


def resolve_stack(args: argparse.Namespace) -> Stack:
    """The stack from `--outputs`, or from `--table` and `--regions` (they win over a file)."""
    outputs = read_outputs(args.outputs) if args.outputs is not None else {}
    if args.table is not None:
        outputs["tableName"] = args.table
    if args.regions is not None:
        outputs["regions"] = [r.strip() for r in args.regions.split(",") if r.strip()]
    if args.route53 is not None:
        outputs.pop("customUrl", None)
        if args.route53:
            outputs["customUrl"] = ""
    if "tableName" not in outputs and "regions" not in outputs:
        raise DrainError(
            "give --outputs FILE (pulumi stack output --json), or --table and --regions"
        )
    return stack_from_outputs(outputs)


def check_region(stack: Stack, region: str, what: str) -> None:
    """A region the stack has, or one line naming the accepted ones."""
    if region not in stack.regions:
        raise DrainError(
            f"{what} {region!r} is not a region of this stack; accepted: {', '.join(stack.regions)}"
        )


def expected_move(stack: Stack) -> str:
    """How long traffic takes to move, from the settings the README states."""
    if stack.route53:
        total = REPLICATION_SECONDS + HEALTH_CHECK_SECONDS + DNS_TTL_SECONDS
        return (
            f"about {total} s (the flag replicates in ~{REPLICATION_SECONDS} s, Route 53 needs "
            f"{HEALTH_CHECK_SECONDS} s of health checks, resolvers keep the old answer for the "
            f"TTL, {DNS_TTL_SECONDS} s)"
        )
    return (
        f"at the clients' next /health (it changes about {REPLICATION_SECONDS} s after the "
        f"write; other answers carry x-region-drained within "
        f"{REPLICATION_SECONDS + DRAIN_CACHE_SECONDS:g} s); without Route 53 nothing moves "
        "them for you"
    )


def plan(stack: Stack, region: str, via: str, undo: bool, drained: list[str]) -> str:
    """What the command will do, in one sentence for the operator."""
    through = f"through {via}'s endpoint" if via != region else f"through {region}'s own endpoint"
    if undo:
        return f"put {region} back into service ({through}); traffic returns {expected_move(stack)}"
    left = [r for r in stack.regions if r != region and r not in drained]
    return (
        f"drain {region} ({through}); traffic moves to {', '.join(left) or 'no region'} "
        f"{expected_move(stack)}"
    )


def confirmed(question: str) -> bool:
    """Ask at a terminal; anything but `yes` (or no terminal at all) is a no."""
    if not sys.stdin.isatty():
        raise DrainError("no terminal to confirm at: add --yes to go on without asking")
    try:
        return input(f"{question} Type yes to go on: ").strip() == "yes"
    except EOFError:
        return False


def operator() -> str:
    """Who drained: the user name, for the flag's record."""
    return os.environ.get("USER") or os.environ.get("USERNAME") or "unknown"


def parser() -> argparse.ArgumentParser:
    """The command line (see the README's runbook)."""
    cli = argparse.ArgumentParser(
        prog="python -m ops.drain",
        description="Drain a region (its /health answers 503, traffic moves away), or undo it.",
    )
    cli.add_argument("region", help="the region to drain (or, with --undo, to put back)")
    cli.add_argument("--undo", action="store_true", help="put the region back into service")
    cli.add_argument("--via", help="write through this region's endpoint (default: REGION's)")
    cli.add_argument("--force", action="store_true", help="drain even the last serving region")
    cli.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    cli.add_argument(
        "--outputs", type=Path, help="a saved `pulumi stack output --json` (tableName, regions)"
    )
    cli.add_argument("--table", help="the table (output tableName), instead of --outputs")
    cli.add_argument("--regions", help="the regions, primary first, comma-separated")
    cli.add_argument(
        "--route53",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="whether Route 53 moves the traffic (default: from the outputs' customUrl)",
    )
    return cli


def run(args: argparse.Namespace, make_client: Any) -> int:
    """Check, plan, confirm, write the flag."""
    stack = resolve_stack(args)
    check_region(stack, args.region, "region")
    via = args.via if args.via is not None else args.region
    check_region(stack, via, "--via region")
    client = make_client(via)
    drained = drained_regions(client, stack.table, stack.regions)
    if args.undo and args.region not in drained:
        print(f"{args.region} is not drained: nothing to do")
        return 0
    if not args.undo and args.region in drained:
        print(f"{args.region} is drained already: nothing to do")
        return 0
    serving = [r for r in stack.regions if r not in drained and r != args.region]
    if not args.undo and not serving and not args.force:
        raise DrainError(
            f"{args.region} is the last region not drained ({', '.join(drained)} drained): "
            "draining it takes the whole service down; add --force to do it anyway"
        )
    sentence = plan(stack, args.region, via, args.undo, drained)
    if not args.yes and not confirmed(f"This will {sentence}."):
        print("nothing done")
        return EXIT_FAILED
    set_drained(client, stack.table, args.region, not args.undo, by=operator())
    print(f"{'undrained' if args.undo else 'drained'} {args.region}: {sentence}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """The command; AWS errors and refusals are one line on stderr and exit 1."""
    args = parser().parse_args(argv)

    def make_client(region: str) -> Any:
        return boto3.client("dynamodb", region_name=region, config=CLIENT_CONFIG)

    try:
        return run(args, make_client)
    except DrainError as error:
        print(f"drain: error: {error}", file=sys.stderr)
    except AWS_ERRORS as error:
        print(f"drain: error: {error}", file=sys.stderr)
    return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())

"""A timed failover exercise against the deployed stack: measure what the README promises.

    pulumi stack output --json > outputs.json
    python -m ops.drill --outputs outputs.json --dry-run     # the plan; calls nothing
    python -m ops.drill --outputs outputs.json [--json] [--replication]

1. Every region's `/health` must answer 200 (and name its region), and nothing may be
   drained; otherwise the drill does not start.
2. With Route 53 the service name must answer with the primary. The name is asked of the
   zone's authoritative name servers (output `nameServers`), never a caching resolver, and
   the region behind the answer is the one its `/health` names.
3. It drains the primary (ops/drain.py's flag) and measures, from that write, the time until
   the primary's `/health` fails, until the service name answers with the next region, and
   until a write and a read succeed through the service name (without Route 53: until the
   primary's answers say `x-region-drained`, and a write and a read succeed at the next
   region's URL).
4. It undrains and measures the way back the same way.
5. `--replication` starts the AWS FIS experiments (output `fisTemplates`) of the last region
   in failover order, the one a paused link takes out whatever the number of regions, so no
   traffic leaves the primary. The DynamoDB pause: until that region's `/health` answers 503
   "lagging" and every other region's probe alarm on it fires into its topic, then, once the
   pause ends, until both clear. The S3 pause: the drill writes an object into the paused
   bucket, and measures until each other region's replication-late alarm fires, then clears.

Ctrl-C, a timeout, or any error undrains what the drill drained and stops the experiments it
started, and says so. Each time is printed against the README's figure (`--json`: the same
as a document); exit 0 when every time is within its figure, 2 when one is over, 1 when the
drill stopped, 130 on Ctrl-C.
"""

from __future__ import annotations

import argparse
import http.client
import json
import socket
import ssl
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import boto3
import dns.exception
import dns.resolver

from ops import drain
from ops.drill_model import (
    DEFAULT_POLL_SECONDS,
    DEFAULT_REPLICATION_TIMEOUT_SECONDS,
    DEFAULT_TIMEOUT_SECONDS,
    DNS_TTL_SECONDS,
    DRAINED_HEADER,
    DRILL_ITEM,
    DRILL_OBJECT,
    FLAG_SECONDS,
    HEALTH_CHECK_SECONDS,
    HTTP_TIMEOUT_SECONDS,
    LAG_SECONDS,
    MAX_BODY_BYTES,
    PROBE_ALARM_SECONDS,
    S3_LATE_SECONDS,
    Answer,
    DrillError,
    Env,
    Report,
    Target,
    target_from_outputs,
)
from ops.drill_steps import Drill

EXIT_OK, EXIT_FAILED, EXIT_OVER, EXIT_INTERRUPTED = 0, 1, 2, 130


def advice(target: Target) -> list[str]:
    """What a client has to do, without Route 53 to move it."""
    if target.fqdn is not None:
        return [
            f"clients behind caching resolvers move up to the TTL ({DNS_TTL_SECONDS} s) later "
            "than the authoritative answers measured here"
        ]
    return [
        "no Route 53: clients must move on to the next region's URL when /health answers 503 "
        f"or an answer carries {DRAINED_HEADER}: true, and come back when /health answers 200"
    ]


def plan(target: Target, replication: bool) -> list[str]:
    """The steps, for --dry-run."""
    primary, successor = target.primary, target.successor
    steps = [
        f"check /health of {', '.join(target.regions)} (200 each), that nothing is drained, "
        f"and read the secret {target.secret_name!r} in {successor}",
    ]
    if target.fqdn is not None:
        steps.append(
            f"check that {target.fqdn} answers with {primary} at {', '.join(target.name_servers)}"
        )
    steps.append(f"drain {primary} through {successor}'s DynamoDB endpoint ({target.table!r})")
    steps.append(f"measure until /health of {primary} answers 503 (stated {FLAG_SECONDS:g} s)")
    if target.fqdn is not None:
        moved = drain.REPLICATION_SECONDS + HEALTH_CHECK_SECONDS
        steps.append(f"measure until {target.fqdn} answers with {successor} (stated {moved} s)")
        steps.append(
            f"measure until a write and a read of {DRILL_ITEM!r} succeed through "
            f"{target.fqdn} (stated {moved + DNS_TTL_SECONDS} s)"
        )
    else:
        steps.append(f"measure until answers of {primary} carry {DRAINED_HEADER}: true")
        steps.append(f"measure until a write and a read succeed at {successor}'s URL")
    steps.append(f"undrain {primary} and measure the way back the same way")
    if replication:
        paused = target.regions[-1]
        kinds = sorted(target.fis_templates.get(paused, {}))
        others = ", ".join(r for r in target.regions if r != paused)
        steps.append(
            f"start the FIS experiments of {paused} ({', '.join(kinds) or 'none exported'}), "
            "one after the other:"
        )
        if "dynamodb" in kinds:
            steps.append(
                f"dynamodb: measure until /health of {paused} answers 503 lagging (stated "
                f"{LAG_SECONDS} s) and the probe alarms on it in {others} fire into their "
                f"topics (stated {LAG_SECONDS + PROBE_ALARM_SECONDS} s); after the pause, "
                "until /health answers 200 and the alarms clear"
            )
        if "s3" in kinds:
            steps.append(
                f"s3: write {DRILL_OBJECT!r} into {target.buckets.get(paused, 'its bucket')} "
                f"once the pause runs; measure until its replication-late alarms in {others} "
                f"fire into their topics (stated {S3_LATE_SECONDS} s), then until they clear"
            )
    return [f"{n}. {step}" for n, step in enumerate(steps, 1)]


def run_drill(target: Target, env: Env, args: argparse.Namespace) -> Report:
    """The drill; whatever happens, what it changed is put back before it returns."""
    report = Report(
        route53=target.fqdn is not None, drained=target.primary, successor=target.successor
    )
    drill = Drill(target, env, args.poll_seconds, args.timeout, args.replication_timeout, report)
    try:
        drill.preflight()
        drill.failover()
        drill.failback()
        if args.replication:
            drill.replication()
    except KeyboardInterrupt:
        report.stopped = "interrupted (Ctrl-C)"
    except DrillError as error:
        report.stopped = str(error)
    except Exception as error:  # any failure at all must still put everything back
        report.stopped = f"{type(error).__name__}: {error}"
    finally:
        drill.put_back()
    if report.stopped is None:
        report.advice = advice(target)
    elif not report.cleanup:
        report.cleanup.append("nothing was drained or started")
    return report


# --- the real clients -----------------------------------------------------------------------


class PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to `host` (its certificate and SNI) at a given address: what the name's
    authoritative servers answered, with no resolver of this machine in between."""

    def __init__(self, host: str, address: str, timeout: float) -> None:
        super().__init__(host, timeout=timeout)
        self.address = address
        self.tls = ssl.create_default_context()

    def connect(self) -> None:
        raw = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self.tls.wrap_socket(raw, server_hostname=self.host)


def http_call(
    method: str, url: str, headers: dict[str, str], body: str | None, connect_to: str | None
) -> Answer:
    """One HTTPS request; nothing answering is status 0, never an exception."""
    parts = urlparse(url)
    host = str(parts.hostname)
    if connect_to is None:
        connection: http.client.HTTPSConnection = http.client.HTTPSConnection(
            host, timeout=HTTP_TIMEOUT_SECONDS
        )
    else:
        connection = PinnedHTTPSConnection(host, connect_to, HTTP_TIMEOUT_SECONDS)
    try:
        connection.request(method, parts.path or "/", body=body, headers=headers)
        response = connection.getresponse()
        raw = response.read(MAX_BODY_BYTES)
        found = {key.lower(): value for key, value in response.getheaders()}
        status = response.status
    except (OSError, http.client.HTTPException):
        return Answer(0, {}, {})
    finally:
        connection.close()
    try:
        document = json.loads(raw)
    except ValueError:
        document = {}
    return Answer(status, found, document if isinstance(document, dict) else {})


def authoritative_resolver(name_servers: list[str]) -> Callable[[str], list[str]]:
    """A resolver that asks the zone's own name servers, with no cache: what Route 53 answers
    now. (dnspython: the standard library cannot send a query to a chosen server.)"""
    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers = [socket.gethostbyname(server) for server in name_servers]
    resolver.cache = None

    def resolve(name: str) -> list[str]:
        try:
            answer = resolver.resolve(name, "A", lifetime=HTTP_TIMEOUT_SECONDS)
        except dns.exception.DNSException:
            return []
        return sorted(record.address for record in answer)

    return resolve


def real_env(target: Target, say: Callable[[str], None]) -> Env:
    """The real clock, network and AWS."""
    clients: dict[tuple[str, str], Any] = {}

    def aws(service: str, region: str) -> Any:
        if (service, region) not in clients:
            clients[service, region] = boto3.client(
                service, region_name=region, config=drain.CLIENT_CONFIG
            )
        return clients[service, region]

    def no_dns(name: str) -> list[str]:
        raise DrillError(f"no name servers to ask for {name}")

    resolve = authoritative_resolver(target.name_servers) if target.name_servers else no_dns
    return Env(time.monotonic, time.sleep, http_call, resolve, aws, say)


# --- the command ----------------------------------------------------------------------------


def parser() -> argparse.ArgumentParser:
    cli = argparse.ArgumentParser(
        prog="python -m ops.drill",
        description="Drain the primary, measure failover and failback, undrain; compare each "
        "time with the README's figures.",
    )
    cli.add_argument(
        "--outputs", type=Path, required=True, help="a saved `pulumi stack output --json`"
    )
    cli.add_argument("--json", action="store_true", help="print the report as a JSON document")
    cli.add_argument("--dry-run", action="store_true", help="print the plan; call nothing")
    cli.add_argument(
        "--replication", action="store_true", help="also pause replication with AWS FIS"
    )
    cli.add_argument("--poll-seconds", type=float, default=DEFAULT_POLL_SECONDS)
    cli.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT_SECONDS,
        help=f"seconds each step may take (default {DEFAULT_TIMEOUT_SECONDS:g})",
    )
    cli.add_argument(
        "--replication-timeout", type=float, default=DEFAULT_REPLICATION_TIMEOUT_SECONDS
    )
    return cli


def main(argv: list[str] | None = None, env: Env | None = None) -> int:
    """The command: the plan with --dry-run, otherwise the drill and its report."""
    args = parser().parse_args(argv)
    try:
        target = target_from_outputs(drain.read_outputs(args.outputs))
    except (drain.DrainError, DrillError) as error:
        print(f"drill: error: {error}", file=sys.stderr)
        return EXIT_FAILED
    if args.dry_run:
        lines = plan(target, args.replication)
        print(json.dumps({"plan": lines}) if args.json else "\n".join(["dry run:", *lines]))
        return EXIT_OK
    say = (lambda line: print(line, file=sys.stderr)) if args.json else print
    report = run_drill(target, env or real_env(target, say), args)
    print(json.dumps(report.document(), indent=2) if args.json else report.text())
    if report.stopped is not None:
        return EXIT_INTERRUPTED if report.stopped.startswith("interrupted") else EXIT_FAILED
    return EXIT_OVER if report.outcome == "over" else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())

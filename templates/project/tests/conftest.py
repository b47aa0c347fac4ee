"""Each distinct stack configuration is built once per session and shared by every policy."""

from __future__ import annotations

import gc
import secrets
from pathlib import Path
from typing import Any

import pytest

from tests.harness import StackRun, project_name, run_program, stack_config, stack_files

#: Variants: as configured; with every optional setting set (`pulumi config set --secret
#: appSecret`, `alarmEmail`, `reservedConcurrency`, and with Route 53 the API limits); with one
#: more region.
#: Regions a variant may add, to prove the policies hold for more regions than configured.
#: All have the shortest region code length, so names stay within the limits drgen checked.
SPARE_REGIONS = (
    "eu-west-1",
    "sa-east-1",
    "us-east-2",
    "eu-west-3",
    "us-west-1",
    "eu-west-2",
    "us-east-1",
    "us-west-2",
)
#: A value set with `pulumi config set --secret appSecret`; made up per run, never a literal.
CONFIGURED_SECRET = secrets.token_urlsafe(24)

#: An on-call address set with `pulumi config set alarmEmail`.
ALARM_EMAIL = "oncall@example.com"

#: Set with `pulumi config set reservedConcurrency 7`: a string, as Pulumi stores it.
RESERVED_CONCURRENCY = "7"
#: Set with `pulumi config set apiRateLimit 250` and `apiBurstLimit 500` (Route 53 stacks).
API_RATE_LIMIT = "250"
API_BURST_LIMIT = "500"

VARIANTS = ("as-configured", "configured-options", "extra-region")

_runs: dict[tuple[str, str], StackRun] = {}


def variant_config(path: Path, variant: str) -> tuple[dict[str, Any], list[str]]:
    """A stack file's config, as is or varied; returns config and its secret keys."""
    config = stack_config(path)
    project = project_name()
    if variant == "configured-options":
        config[f"{project}:appSecret"] = CONFIGURED_SECRET
        config[f"{project}:alarmEmail"] = ALARM_EMAIL
        config[f"{project}:reservedConcurrency"] = RESERVED_CONCURRENCY
        if f"{project}:hostedZoneId" in config:
            config[f"{project}:apiRateLimit"] = API_RATE_LIMIT
            config[f"{project}:apiBurstLimit"] = API_BURST_LIMIT
        return config, [f"{project}:appSecret"]
    if variant == "extra-region":
        used = {config[f"{project}:primaryRegion"], *config[f"{project}:secondaryRegions"]}
        spare = next(region for region in SPARE_REGIONS if region not in used)
        config[f"{project}:secondaryRegions"] = [*config[f"{project}:secondaryRegions"], spare]
        if f"{project}:baseCidr" in config:
            # one more region needs one more /16; a /8 has room for every region
            config[f"{project}:baseCidr"] = "10.0.0.0/8"
    return config, []


def build(path: Path, variant: str) -> StackRun:
    """The run of one stack file in one variant, built on first use."""
    key = (path.name, variant)
    if key not in _runs:
        _runs[key] = run_program(*variant_config(path, variant))
    return _runs[key]


STACKS = [
    pytest.param((path, variant), id=f"{path.stem.removeprefix('Pulumi.')}-{variant}")
    for path in stack_files()
    for variant in VARIANTS
]


@pytest.fixture(params=STACKS)
def stack(request: pytest.FixtureRequest) -> StackRun:
    """Every policy runs against every stack file, as configured and varied."""
    path, variant = request.param
    return build(path, variant)


@pytest.fixture
def default_stack() -> StackRun:
    """The first stack file as configured."""
    return build(stack_files()[0], "as-configured")


@pytest.fixture
def secret_stack() -> StackRun:
    """The first stack file with `appSecret` set through `pulumi config set --secret`."""
    return build(stack_files()[0], "configured-options")


@pytest.fixture
def email_stack() -> StackRun:
    """The first stack file with an on-call address (`alarmEmail`), and `appSecret` set."""
    return build(stack_files()[0], "configured-options")


#: Broadest first, so a run that stops at its first failure (`pytest -x`) stops early: every
#: policy on the as-configured stack (one build), then the handler against moto (the slowest
#: file), then the policies on each other variant, then the configuration checks, which each
#: build a stack of their own.
POLICY_FILES = (
    "test_policies.py",
    "test_probes.py",
    "test_dns.py",
    "test_network.py",
    "test_dependencies.py",
    "test_fis.py",
)
HANDLER_FILE = "test_handler.py"


def pytest_collection_finish() -> None:
    """Everything imported so far (pulumi_aws, moto, boto3: most of the heap) lives until
    the run ends: the garbage collector need not walk it at each full collection."""
    gc.freeze()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Order the collected tests as above; the sort is stable within each group."""

    def rank(item: pytest.Item) -> tuple[int, int]:
        name = item.path.name
        params = getattr(item, "callspec", None)
        stack = params.params.get("stack") if params is not None else None
        variant = VARIANTS.index(stack[1]) if stack is not None else 0
        if name == HANDLER_FILE:
            step = 1
        elif name in POLICY_FILES:
            step = 0 if variant == 0 else variant + 1
        else:
            step = len(VARIANTS) + 1
        return (step, POLICY_FILES.index(name) if name in POLICY_FILES else 0)

    items.sort(key=rank)

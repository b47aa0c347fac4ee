"""`python -m ops.drain` against moto's DynamoDB, and the handler answering for a drained region.

moto does not replicate a global table: each region's table here is that region's replica,
and where the switch writes through another region (`--via`), the tests copy the flag item
into the drained region's replica as DynamoDB's replication would.
"""

from __future__ import annotations

import json
import runpy
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from app import handler
from ops import drain
from tests.harness import PROJECT_DIR, StackRun, project_name, stack_config, stack_files
from tests.test_handler import BUCKET, SECRET_ID, TABLE, HandlerBoto3, create_region, request

REGIONS = ("eu-west-1", "us-west-2", "ap-southeast-2")
FIRST, SECOND, THIRD = REGIONS
POLICY_FILE = PROJECT_DIR / "ops" / "drain-policy.json"


@pytest.fixture(scope="module")
def moto() -> Iterator[Any]:
    with pytest.MonkeyPatch.context() as patch:
        for key, value in {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",  # pragma: allowlist secret
            "AWS_DEFAULT_REGION": FIRST,
            "TABLE_NAME": TABLE,
            "SECRET_ID": SECRET_ID,
            "REGIONS": ",".join(REGIONS),
        }.items():
            patch.setenv(key, value)
        with mock_aws() as session:
            patch.setattr(handler, "boto3", HandlerBoto3())
            yield session


@pytest.fixture
def regions(moto: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every region's replica, bucket and secret; no terminal (tests give --yes or fake one)."""
    moto.reset()
    for region in REGIONS:
        create_region(region)
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False)
    yield
    handler.reset_caches()


def health(monkeypatch: pytest.MonkeyPatch, region: str) -> dict[str, Any]:
    """`/health` as the function of `region` answers it."""
    handler.reset_caches()
    monkeypatch.setenv("AWS_REGION", region)
    monkeypatch.setenv("BUCKET_NAME", f"{BUCKET}-{region}")
    return request("GET", "/health", token=None)


def run(*args: str) -> int:
    return drain.main(["--table", TABLE, "--regions", ",".join(REGIONS), "--yes", *args])


def flag(region: str, replica: str | None = None) -> dict[str, Any] | None:
    """The drain flag item of `region` as `replica`'s table holds it."""
    found = boto3.client("dynamodb", region_name=replica or region).get_item(
        TableName=TABLE, Key={"pk": {"S": drain.flag_key(region)}}, ConsistentRead=True
    )
    item: dict[str, Any] | None = found.get("Item")
    return item


def replicate(region: str, source: str) -> None:
    """What the global table does with the flag: copy it from `source` into `region`."""
    item = flag(region, source)
    assert item is not None
    boto3.client("dynamodb", region_name=region).put_item(TableName=TABLE, Item=item)


@pytest.mark.usefixtures("regions")
class TestDrainSwitch:
    def test_the_drained_region_answers_503_the_others_200_and_undo_restores(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        assert run(FIRST) == 0
        assert capsys.readouterr().out.startswith(f"drained {FIRST}: drain {FIRST} (through")
        drained = health(monkeypatch, FIRST)
        assert (drained["http"], drained["status"], drained["drained"]) == (503, "drained", True)
        for region in (SECOND, THIRD):
            answer = health(monkeypatch, region)
            assert (answer["http"], answer["drained"]) == (200, False), region
        assert run("--undo", FIRST) == 0
        assert (health(monkeypatch, FIRST)["http"], flag(FIRST)["drained"]) == (  # type: ignore[index]
            200,
            {"BOOL": False},
        )

    def test_the_health_answer_says_drained_in_a_header_and_the_body(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        assert run(FIRST) == 0
        health(monkeypatch, FIRST)
        response = handler.handler(
            {"rawPath": "/health", "requestContext": {"http": {"method": "GET"}}}, None
        )
        assert response["headers"][handler.DRAINED_HEADER] == "true"
        assert json.loads(response["body"])["drained"] is True

    def test_through_another_region_while_the_drained_one_is_unreachable(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        made: list[str] = []
        real = boto3.client

        def client(service: str, region_name: str, **kwargs: Any) -> Any:
            made.append(region_name)
            return real(service, region_name=region_name, **kwargs)

        monkeypatch.setattr(drain.boto3, "client", client)
        assert run("--via", SECOND, FIRST) == 0
        assert made == [SECOND], "the switch called the drained region's endpoint"
        assert flag(FIRST, SECOND) is not None
        replicate(FIRST, SECOND)
        assert health(monkeypatch, FIRST)["status"] == "drained"

    def test_the_flag_records_who_and_when(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("USER", "oncall")
        assert run(FIRST) == 0
        item = flag(FIRST)
        assert item is not None
        assert (item["drained"], item["by"]) == ({"BOOL": True}, {"S": "oncall"})
        assert int(item["at"]["N"]) > 0
        monkeypatch.delenv("USER")
        monkeypatch.delenv("USERNAME", raising=False)
        assert drain.operator() == "unknown"

    def test_the_last_region_not_drained_is_refused_unless_forced(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        # one replica holds every flag, as the global table's replicas do
        assert run("--via", FIRST, FIRST) == 0
        assert run("--via", FIRST, SECOND) == 0
        capsys.readouterr()
        assert run("--via", FIRST, THIRD) == drain.EXIT_FAILED
        assert capsys.readouterr().err == (
            f"drain: error: {THIRD} is the last region not drained ({FIRST}, {SECOND} drained): "
            "draining it takes the whole service down; add --force to do it anyway\n"
        )
        assert flag(THIRD, FIRST) is None, "a refused drain wrote its flag"
        assert run("--via", FIRST, "--force", THIRD) == 0
        assert "traffic moves to no region" in capsys.readouterr().out
        client = boto3.client("dynamodb", region_name=FIRST)
        assert drain.drained_regions(client, TABLE, list(REGIONS)) == list(REGIONS)

    def test_nothing_to_do_twice(self, capsys: pytest.CaptureFixture[str]) -> None:
        assert run("--undo", FIRST) == 0
        assert capsys.readouterr().out == f"{FIRST} is not drained: nothing to do\n"
        assert run(FIRST) == 0
        capsys.readouterr()
        assert run(FIRST) == 0
        assert capsys.readouterr().out == f"{FIRST} is drained already: nothing to do\n"

    def test_it_asks_first_and_anything_but_yes_changes_nothing(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        args = ["--table", TABLE, "--regions", ",".join(REGIONS), FIRST]
        assert drain.main(args) == drain.EXIT_FAILED
        assert capsys.readouterr().err == (
            "drain: error: no terminal to confirm at: add --yes to go on without asking\n"
        )
        monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
        asked: list[str] = []
        monkeypatch.setattr("builtins.input", lambda question: asked.append(question) or "no")
        assert drain.main(args) == drain.EXIT_FAILED
        assert asked[0].startswith(f"This will drain {FIRST} (through {FIRST}'s own endpoint)")
        assert capsys.readouterr().out == "nothing done\n"

        def eof(question: str) -> str:
            raise EOFError

        monkeypatch.setattr("builtins.input", eof)
        assert drain.main(args) == drain.EXIT_FAILED
        monkeypatch.setattr("builtins.input", lambda question: "yes")
        assert drain.main(args) == 0
        assert flag(FIRST) is not None

    def test_flags_left_unprocessed_are_read_again_then_refused(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        client = boto3.client("dynamodb", region_name=FIRST)
        drain.set_drained(client, TABLE, FIRST, True, by="test")
        real = client.batch_get_item
        answers: list[int] = []

        def throttled(**kwargs: Any) -> Any:
            found = real(**kwargs)
            answers.append(len(kwargs["RequestItems"][TABLE]["Keys"]))
            if len(answers) == 1:  # the first answer leaves the last key unprocessed
                keys = kwargs["RequestItems"][TABLE]["Keys"]
                found["UnprocessedKeys"] = {TABLE: {"Keys": keys[-1:]}}
            return found

        monkeypatch.setattr(client, "batch_get_item", throttled)
        assert drain.drained_regions(client, TABLE, list(REGIONS)) == [FIRST]
        assert answers == [3, 1]

        def always(**kwargs: Any) -> Any:
            found = real(**kwargs)
            found["UnprocessedKeys"] = {TABLE: kwargs["RequestItems"][TABLE]}
            return found

        monkeypatch.setattr(client, "batch_get_item", always)
        with pytest.raises(drain.DrainError, match="DynamoDB left 3 drain flags unread"):
            drain.drained_regions(client, TABLE, list(REGIONS))

    def test_an_aws_error_is_one_line(self, capsys: pytest.CaptureFixture[str]) -> None:
        assert drain.main(["--table", "nope", "--regions", FIRST, "--yes", FIRST]) == 1
        err = capsys.readouterr().err
        assert err.startswith("drain: error: An error occurred (ResourceNotFoundException)")
        assert err.count("\n") == 1

    def test_runs_as_a_module(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(
            sys, "argv", ["ops.drain", "--table", TABLE, "--regions", FIRST, "--undo", FIRST]
        )
        monkeypatch.delitem(sys.modules, "ops.drain")  # run it afresh, as `python -m` does
        with pytest.raises(SystemExit) as stopped:
            runpy.run_module("ops.drain", run_name="__main__")
        assert stopped.value.code == 0


@pytest.mark.usefixtures("regions")
def test_other_answers_say_drained_within_the_cache_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    """Requests other than `/health` trust a flag read DRAIN_CACHE_SECONDS ago at most."""
    now = [1000.0]
    monkeypatch.setattr(handler.time, "monotonic", lambda: now[0])
    monkeypatch.setenv("AWS_REGION", FIRST)
    monkeypatch.setenv("BUCKET_NAME", f"{BUCKET}-{FIRST}")
    handler.reset_caches()
    assert "drained" not in request("GET", "/items/a")
    assert run(FIRST) == 0
    now[0] += handler.DRAIN_CACHE_SECONDS - 0.1
    assert "drained" not in request("GET", "/items/a"), "read the flag again inside the bound"
    now[0] += 0.2
    event = {
        "rawPath": "/items/a",
        "requestContext": {"http": {"method": "GET"}},
        "headers": {"Authorization": "Bearer correct-horse-battery-staple"},
    }
    response = handler.handler(event, None)
    assert response["headers"][handler.DRAINED_HEADER] == "true"
    assert json.loads(response["body"]) == {"error": "item 'a' not found", "drained": True}
    assert request("PUT", "/items/a", body="{}")["drained"] is True


def test_the_cache_bound_is_a_few_seconds_and_the_readme_states_it() -> None:
    assert 0 < handler.DRAIN_CACHE_SECONDS <= 5.0
    assert drain.DRAIN_CACHE_SECONDS == handler.DRAIN_CACHE_SECONDS
    assert drain.DRAINED_PREFIX == handler.DRAINED_PREFIX
    readme = (PROJECT_DIR / "README.md").read_text()
    assert f"within {handler.DRAIN_CACHE_SECONDS:g} s (`DRAIN_CACHE_SECONDS`)" in readme


@pytest.mark.usefixtures("regions")
def test_a_flag_left_unprocessed_keeps_the_last_one_read(monkeypatch: pytest.MonkeyPatch) -> None:
    assert run(FIRST) == 0
    assert health(monkeypatch, FIRST)["drained"] is True
    dynamodb = handler._client("dynamodb")
    real = dynamodb.batch_get_item

    def throttled(**kwargs: Any) -> Any:
        found = real(**kwargs)
        found["UnprocessedKeys"] = {TABLE: {"Keys": [{"pk": {"S": drain.flag_key(FIRST)}}]}}
        return found

    monkeypatch.setattr(dynamodb, "batch_get_item", throttled)
    assert request("GET", "/health", token=None)["status"] == "drained"
    handler.reset_caches()
    monkeypatch.setattr(handler._client("dynamodb"), "batch_get_item", throttled)
    assert request("GET", "/health", token=None)["drained"] is False, "no read yet: not drained"


@pytest.mark.usefixtures("regions")
def test_a_flag_that_cannot_be_read_does_not_fail_the_request(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AWS_REGION", FIRST)
    handler.reset_caches()
    dynamodb = handler._client("dynamodb")

    def down(**kwargs: Any) -> Any:
        raise handler.ClientError({"Error": {"Code": "InternalServerError"}}, "GetItem")

    monkeypatch.setattr(dynamodb, "get_item", down)
    assert handler.is_drained() is False
    assert json.loads(capsys.readouterr().out)["drain_flag_unread"] == "ClientError"


class TestInputs:
    def test_the_stack_outputs_are_what_the_switch_reads(self, stack: StackRun) -> None:
        found = drain.stack_from_outputs(json.loads(json.dumps(stack.exports)))
        assert found.table == stack.exports["tableName"]
        assert found.regions == stack.regions
        assert found.route53 == (f"{stack.project}:hostedZoneId" in stack.config)

    def test_an_outputs_file(self, tmp_path: Path) -> None:
        saved = tmp_path / "outputs.json"
        saved.write_text(json.dumps({"tableName": TABLE, "regions": [FIRST, SECOND]}))
        args = drain.parser().parse_args(["--outputs", str(saved), FIRST])
        assert drain.resolve_stack(args) == drain.Stack(TABLE, [FIRST, SECOND], route53=False)
        args = drain.parser().parse_args(
            ["--outputs", str(saved), "--route53", "--table", "t", FIRST]
        )
        assert drain.resolve_stack(args) == drain.Stack("t", [FIRST, SECOND], route53=True)
        args = drain.parser().parse_args(
            ["--regions", f"{FIRST}, {THIRD},", "--table", "t", "--no-route53", FIRST]
        )
        assert drain.resolve_stack(args) == drain.Stack("t", [FIRST, THIRD], route53=False)

    @pytest.mark.parametrize(
        ("content", "error"),
        [
            (None, "cannot read the outputs file {path!r}: No such file or directory"),
            ("{", "the outputs file {path!r} is not JSON: save `pulumi stack output --json`"),
            ("[]", "the outputs file {path!r} is not a JSON object of outputs"),
            (
                '{"tableName": "t"}',
                "the outputs have no 'regions': save them with `pulumi stack output --json` "
                "after a `pulumi up` of this version",
            ),
            (
                '{"tableName": "t", "regions": []}',
                "the outputs' tableName must be a name and regions a list of regions",
            ),
        ],
        ids=["missing", "not-json", "not-an-object", "no-regions", "empty-regions"],
    )
    def test_a_bad_outputs_file_is_one_line(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None, error: str
    ) -> None:
        saved = tmp_path / "outputs.json"
        if content is not None:
            saved.write_text(content)
        assert drain.main(["--outputs", str(saved), FIRST]) == drain.EXIT_FAILED
        assert capsys.readouterr().err == f"drain: error: {error.format(path=str(saved))}\n"

    @pytest.mark.parametrize(
        ("args", "error"),
        [
            ([FIRST], "give --outputs FILE (pulumi stack output --json), or --table and --regions"),
            (
                ["--table", "t", "--regions", FIRST, "mars-1"],
                f"region 'mars-1' is not a region of this stack; accepted: {FIRST}",
            ),
            (
                ["--table", "t", "--regions", f"{FIRST},{SECOND}", "--via", "x", FIRST],
                f"--via region 'x' is not a region of this stack; accepted: {FIRST}, {SECOND}",
            ),
        ],
        ids=["no-inputs", "unknown-region", "unknown-via"],
    )
    def test_bad_flags_are_one_line(
        self, capsys: pytest.CaptureFixture[str], args: list[str], error: str
    ) -> None:
        assert drain.main(args) == drain.EXIT_FAILED
        assert capsys.readouterr().err == f"drain: error: {error}\n"


def test_the_expected_time_comes_from_the_stated_settings() -> None:
    with_dns = drain.Stack(TABLE, list(REGIONS), route53=True)
    assert drain.plan(with_dns, FIRST, SECOND, True, [FIRST]) == (
        f"put {FIRST} back into service (through {SECOND}'s endpoint); traffic returns about "
        "151 s (the flag replicates in ~1 s, Route 53 needs 90 s of health checks, resolvers "
        "keep the old answer for the TTL, 60 s)"
    )
    without = drain.Stack(TABLE, list(REGIONS), route53=False)
    assert drain.plan(without, FIRST, FIRST, False, [SECOND]) == (
        f"drain {FIRST} (through {FIRST}'s own endpoint); traffic moves to {THIRD} at the "
        "clients' next /health (it changes about 1 s after the write; other answers carry "
        "x-region-drained within 6 s); without Route 53 nothing moves them for you"
    )


class TestPermissions:
    """`ops/drain-policy.json` grants exactly what the switch calls, on the flag items only
    (`dynamodb:LeadingKeys`: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html),
    on the stack's table in the caller's own account: `aws:ResourceAccount`
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html)
    against `${aws:PrincipalAccount}`, a policy variable
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html)."""

    def statement(self) -> dict[str, Any]:
        policy = json.loads(POLICY_FILE.read_text())
        assert policy["Version"] == "2012-10-17"
        (only,) = policy["Statement"]
        assert only["Effect"] == "Allow"
        return dict(only)

    @pytest.mark.usefixtures("regions")
    def test_it_grants_exactly_the_calls_the_switch_makes_on_the_flag_keys(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        calls: set[str] = set()
        keys: set[str] = set()
        real = boto3.client

        def client(service: str, **kwargs: Any) -> Any:
            made = real(service, **kwargs)

            def note(model: Any, params: dict[str, Any], **_: Any) -> None:
                calls.add(f"dynamodb:{model.name}")
                if "Item" in params:
                    keys.add(params["Item"]["pk"]["S"])
                for request_keys in params.get("RequestItems", {}).values():
                    keys.update(key["pk"]["S"] for key in request_keys["Keys"])

            made.meta.events.register("before-call.dynamodb", note)
            return made

        monkeypatch.setattr(drain.boto3, "client", client)
        assert run(FIRST) == 0
        assert run("--undo", "--via", SECOND, FIRST) == 0
        statement = self.statement()
        assert sorted(calls) == sorted(statement["Action"])
        leading = statement["Condition"]["ForAllValues:StringEquals"]["dynamodb:LeadingKeys"]
        assert keys <= {drain.flag_key(region) for region in REGIONS}
        assert all(key.startswith(drain.DRAINED_PREFIX) for key in leading)

    def test_on_the_stack_table_in_every_region_and_its_flags_only(
        self, default_stack: StackRun
    ) -> None:
        config = stack_config(stack_files()[0])
        project = project_name()
        regions = [config[f"{project}:primaryRegion"], *config[f"{project}:secondaryRegions"]]
        statement = self.statement()
        table = default_stack.exports["tableName"]
        assert statement["Resource"] == [
            f"arn:aws:dynamodb:{region}:*:table/{table}" for region in regions
        ]
        assert statement["Condition"]["StringEquals"] == {
            "aws:ResourceAccount": "${aws:PrincipalAccount}"
        }
        leading = statement["Condition"]["ForAllValues:StringEquals"]["dynamodb:LeadingKeys"]
        assert leading == [drain.flag_key(region) for region in regions]

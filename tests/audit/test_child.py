"""The child's parts in drgen's own process: typed outputs, error text, what it may import."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

import drgen.audit.child

CHILD = Path(drgen.audit.child.__file__).parent


def test_the_child_imports_only_the_standard_library_pulumi_and_itself() -> None:
    """It runs in the audited program's interpreter, where drgen is not installed."""
    for path in sorted(CHILD.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [str(node.module)]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                assert top in sys.stdlib_module_names or top == "pulumi", (path.name, name)


@pytest.mark.integration
def test_outputs_are_conformed_to_the_sdk_s_declared_types() -> None:
    """The rules `conform` applies, against pulumi_aws's own classes."""
    from collections.abc import Mapping, Sequence

    import pulumi_aws as aws
    from pulumi.runtime import rpc

    from drgen.audit.child.conforming import DROP, KEEP, conform, output_types

    secret = {rpc._special_sig_key: rpc._special_secret_sig, "value": {"b": 1, "a": [2]}}
    assert conform({"b": 1, "a": [2]}, str) == '{"a":[2],"b":1}'
    assert conform(secret, str) == {**secret, "value": '{"a":[2],"b":1}'}
    assert conform({"strategy": "Single"}, Sequence[aws.ec2.NatGateway]) is DROP
    assert conform({"strategy": "Single"}, Sequence[aws.ec2.NatGateway], KEEP) == {
        "strategy": "Single"
    }
    assert conform(["a", "b"], Sequence[str]) == ["a", "b"]
    assert conform([{"x": 1}], Sequence[str]) == ['{"x":1}']
    assert conform(["a", {"x": 1}], Sequence[aws.ec2.Subnet]) is DROP
    assert conform("vpc-1", aws.ec2.Vpc) is DROP
    assert conform({"k": ["v"]}, Mapping[str, str]) == {"k": '["v"]'}
    assert conform({"k": 1}, int) is DROP
    assert conform(None, str) is None
    assert conform(3, int) == 3
    types = output_types(aws.iam.Role)
    inline = [{"name": "read", "policy": {"Version": "2012-10-17"}}]
    assert conform(inline, types["inlinePolicies"]) == [
        {"name": "read", "policy": '{"Version":"2012-10-17"}'}
    ]
    assert output_types(None) == {}


def test_an_output_type_failure_names_the_resource_the_sdk_names(tmp_path: Path) -> None:
    """The SDK's own check names the resource by its logical name; the recorder has its line."""
    from drgen.audit.child.failure import error_text
    from drgen.audit.child.recording import Locator, Recorder

    recorder = Recorder(Locator(tmp_path, []), None)
    recorder.locations[("aws:iam/role:Role", "reader")] = ("__main__.py", 12)
    error = AssertionError(
        "Unexpected type; expected a value of type `<class 'str'>` but got a value of type "
        "`<class 'dict'>` at resource `reader`, property `assume_role_policy`: {}"
    )
    assert error_text(error, recorder.locator, recorder) == (
        "AssertionError: Unexpected type; expected a value of type `<class 'str'>` but got a "
        "value of type `<class 'dict'>` at resource `reader`, property `assume_role_policy`: "
        "{}, in aws:iam/role:Role reader (__main__.py:12)"
    )
    unknown = AssertionError("Unexpected type at resource `ghost`, property `x`")
    assert error_text(unknown, recorder.locator, recorder) == (
        "AssertionError: Unexpected type at resource `ghost`, property `x`"
    )

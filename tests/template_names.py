"""The physical names a rendered project really builds, read from its code: an oracle for the
answers' length rules that does not restate drgen's own table.

Every physical name in the generated stack is `config.name(*parts)`, which joins project,
parts and env suffix with hyphens (templates/project/infra/config.py.jinja). This module finds
each call in the rendered `infra/*.py`, works out which AWS resource argument it ends up in,
and evaluates it for given answers. The limits that bind are AWS's: S3 bucket names at most
63 characters, IAM role names 64, Lambda function names 64 (the Lambda and IAM API
references), EventBridge rule names 64. Every other name goes to a tag, alarm, topic, table,
secret, security group or API name, whose limits are far longer; the oracle bounds them by 128.
"""

from __future__ import annotations

import ast
import itertools
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from drgen.answers.rules import build_answers
from drgen.project.render import generate

#: (resource class, argument) -> AWS's length limit for that name.
LIMITS = {
    ("Bucket", "bucket"): 63,
    ("Role", "name"): 64,
    ("Function", "name"): 64,
    # https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html
    ("EventRule", "name"): 64,
}
OTHER_LIMIT = 128
#: The 12-digit account id the bucket name carries.
ACCOUNT = "0" * 12
#: Every optional file rendered: Route 53 and VPC on.
ALL_FEATURES: dict[str, object] = {
    "regions": ["us-east-1", "us-west-2"],
    "env_suffix": "dev",
    "route53": True,
    "hosted_zone_id": "Z0123ABC",
    "domain": "example.com",
    "record_name": "api",
    "network": "vpc",
    "base_cidr": "10.0.0.0/8",
}


@dataclass(frozen=True)
class NameSite:
    """One `config.name(...)` call: where it is, what it names, and its parts."""

    where: str
    resource: tuple[str, str] | None
    parts: tuple[str, ...]  # literal text, or "<region>", "<account>", "<digit>"

    @property
    def limit(self) -> int:
        """AWS's limit for this name."""
        return LIMITS.get(self.resource, OTHER_LIMIT) if self.resource else OTHER_LIMIT

    def render(self, project: str, suffix: str, region: str) -> str:
        """The name for these answers (every region part is `region`)."""
        values = {"<region>": region, "<account>": ACCOUNT, "<digit>": "0"}
        return "-".join((project, *(values.get(p, p) for p in self.parts), suffix))


def _parts(node: ast.expr, where: str, params: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    """The values one name part can take: a literal, a placeholder, or every literal a
    function parameter receives (its default and each call's argument)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return (node.value,)
    if isinstance(node, ast.Name) and node.id in ("region", "source", "probed"):
        # `source`: the sending region of the replication alarms; `probed`: the region a
        # probe alarm watches
        return ("<region>",)
    if isinstance(node, ast.Attribute) and node.attr == "region":
        return ("<region>",)
    if isinstance(node, ast.Name) and node.id == "account":
        return ("<account>",)
    if isinstance(node, ast.Call) and ast.unparse(node) == "str(index)":
        return ("<digit>",)  # subnet index: fewer than 10 availability zones are used
    if isinstance(node, ast.Name) and params.get(node.id):
        return params[node.id]
    raise AssertionError(f"{where}: unknown name part {ast.unparse(node)}")


def parameter_values(sources: list[str]) -> dict[str, dict[str, tuple[str, ...]]]:
    """Per function, the string literals each parameter receives across the project."""
    trees = [ast.parse(source) for source in sources]
    functions = {
        node.name: node
        for tree in trees
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef)
    }
    values: dict[str, dict[str, set[str]]] = {name: {} for name in functions}
    for name, function in functions.items():
        args = function.args.args
        for arg, default in zip(
            args[len(args) - len(function.args.defaults) :], function.args.defaults, strict=True
        ):
            if isinstance(default, ast.Constant) and isinstance(default.value, str):
                values[name].setdefault(arg.arg, set()).add(default.value)
    for tree in trees:
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            called = _class_name(node)
            if called not in functions:
                continue
            names = [arg.arg for arg in functions[called].args.args]
            given = list(zip(names, node.args, strict=False))
            given += [(kw.arg, kw.value) for kw in node.keywords if kw.arg is not None]
            for param, value in given:
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    values[called].setdefault(param, set()).add(value.value)
    return {
        name: {param: tuple(sorted(found)) for param, found in params.items()}
        for name, params in values.items()
    }


def _is_name_call(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "name"
        and ast.unparse(node.func.value) == "config"
    )


def sites_in(
    source: str, filename: str, params: dict[str, dict[str, tuple[str, ...]]] | None = None
) -> list[NameSite]:
    """Every `config.name(...)` call of one module, with the resource argument it feeds."""
    tree = ast.parse(source)
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    variables: dict[str, ast.Call] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and _is_name_call(node.value):
            [target] = node.targets
            assert isinstance(target, ast.Name) and isinstance(node.value, ast.Call)
            variables[target.id] = node.value
    fed: dict[int, tuple[str, str]] = {}
    for node in ast.walk(tree):
        if not (isinstance(node, ast.keyword) and isinstance(node.value, ast.Name)):
            continue
        call = variables.get(node.value.id)
        owner = parents[node]
        if call is not None and isinstance(owner, ast.Call) and node.arg is not None:
            fed[id(call)] = (_class_name(owner), node.arg)
    sites = []
    for node in ast.walk(tree):
        if not _is_name_call(node):
            continue
        assert isinstance(node, ast.Call)
        where = f"{filename}:{node.lineno}"
        resource = fed.get(id(node)) or _enclosing_argument(node, parents)
        mine = (params or {}).get(_enclosing_function(node, parents), {})
        choices = [_parts(a, where, mine) for a in node.args]
        sites.extend(NameSite(where, resource, parts) for parts in itertools.product(*choices))
    return sites


def _class_name(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else ast.unparse(func)


def _enclosing_function(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> str:
    parent = parents.get(node)
    while parent is not None and not isinstance(parent, ast.FunctionDef):
        parent = parents.get(parent)
    return parent.name if parent is not None else ""


def _enclosing_argument(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> tuple[str, str] | None:
    """The (resource class, keyword) the name is passed to, through lambdas and `.apply`."""
    child, parent = node, parents.get(node)
    while parent is not None:
        if isinstance(parent, ast.keyword) and parent.arg is not None:
            owner = parents[parent]
            assert isinstance(owner, ast.Call)
            if owner.func is not child and _class_name(owner)[:1].isupper():
                return _class_name(owner), parent.arg
        if isinstance(parent, ast.FunctionDef | ast.Assign):
            return None
        child, parent = parent, parents.get(parent)
    return None


@cache
def template_sites() -> tuple[NameSite, ...]:
    """Every name site of a project rendered with every feature on."""
    with tempfile.TemporaryDirectory() as tmp:
        project = generate(build_answers("demo", ALL_FEATURES), Path(tmp) / "demo")
        paths = sorted((project / "infra").glob("*.py"))
        params = parameter_values([path.read_text() for path in paths])
        return tuple(
            site
            for path in paths
            for site in sites_in(path.read_text(), f"infra/{path.name}", params)
        )


def too_long(project: str, suffix: str, regions: tuple[str, ...]) -> list[str]:
    """The rendered names over their AWS limit for these answers."""
    return [
        f"{site.where}: {name!r} ({len(name)} > {site.limit})"
        for site in template_sites()
        for region in regions
        if len(name := site.render(project, suffix, region)) > site.limit
    ]


def tightest(project: str, suffix: str, regions: tuple[str, ...]) -> int:
    """How far the longest name is from its limit (0: exactly at it)."""
    return min(
        site.limit - len(site.render(project, suffix, region))
        for site in template_sites()
        for region in regions
    )

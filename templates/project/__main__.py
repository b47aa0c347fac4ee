"""Pulumi entry point: read the stack config, build the DR stack, export what operators need."""

import pulumi

from infra.config import load_config
from infra.extensions import extend
from infra.stack import build_stack

stack = build_stack(load_config(pulumi.Config()))
for name, value in {**stack.outputs(), **extend(stack)}.items():
    pulumi.export(name, value)

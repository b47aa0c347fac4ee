"""What a program sends to the engine, recorded: resources, lookups and where they are declared."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .computed import (
    MODELLED_COMPONENTS,
    NAME_INPUTS,
    component_outputs,
    computed_outputs,
    invoke_result,
)
from .conforming import as_deployed, conform_all, output_types
from .values import jsonable, plain

PROVIDER_PREFIX = "pulumi:providers:"


class Locator:
    """Where in the program's own files something was declared: the innermost frame there."""

    def __init__(self, root: Path, excluded: list[Path]) -> None:
        self.root = root
        self.excluded = excluded
        self._relative: dict[str, str | None] = {}

    def relative(self, filename: str) -> str | None:
        """The file's path in the program, or None when it is not the program's own."""
        if filename not in self._relative:  # resolving is slow: once per file
            self._relative[filename] = self._resolve(filename)
        return self._relative[filename]

    def _resolve(self, filename: str) -> str | None:
        try:
            path = Path(filename).resolve()
        except (OSError, ValueError):
            return None
        if not path.is_relative_to(self.root) or "site-packages" in path.parts:
            return None
        if any(path.is_relative_to(ex) for ex in self.excluded):
            return None
        return path.relative_to(self.root).as_posix()

    def here(self) -> tuple[str | None, int | None]:
        """The program file and line of the caller's caller's innermost own frame."""
        frame = sys._getframe(2)
        while frame is not None:
            rel = self.relative(frame.f_code.co_filename)
            if rel is not None:
                return rel, frame.f_lineno
            frame = frame.f_back  # type: ignore[assignment]
        return None, None


class Recorder:
    """Records registrations and lookups of one program run."""

    def __init__(self, locator: Locator, default_region: str | None) -> None:
        self.locator = locator
        self.default_region = default_region
        self.locations: dict[tuple[str, str], tuple[str | None, int | None]] = {}
        self.invoke_locations: dict[str, list[tuple[str | None, int | None]]] = {}
        self.resources: dict[str, dict[str, Any]] = {}
        self.provider_refs: dict[str, dict[str, Any]] = {}
        self.invokes: list[dict[str, Any]] = []
        self.outputs: dict[tuple[str, str], dict[str, Any]] = {}
        self.classes: dict[tuple[str, str], type] = {}
        self.remote: set[tuple[str, str]] = set()
        #: Multi-language components the mocks cannot stand in for, with where they were declared.
        self.refused: list[tuple[str, str | None, int | None]] = []
        #: The modelled components met, by type: their resource-typed outputs read as None.
        self.components: set[str] = set()

    def place(self, typ: str, name: str) -> tuple[str | None, int | None]:
        """The program file and line that declared a resource."""
        return self.locations.get((typ, name), (None, None))

    def provider_of(self, ref: str) -> dict[str, Any] | None:
        """The provider (name, region) a `urn::id` reference points to."""
        return self.provider_refs.get(ref) if ref else None


def patch(recorder: Recorder) -> Callable[[], None]:
    """Hook resource construction and lookups to learn where the program declared them."""
    import pulumi.resource
    import pulumi.runtime

    original_init = pulumi.resource.Resource.__init__

    def init(self: Any, t: str, name: str, *args: Any, **kwargs: Any) -> None:
        recorder.locations.setdefault((t, name), recorder.locator.here())
        recorder.classes.setdefault((t, name), type(self))
        original_init(self, t, name, *args, **kwargs)

    originals: dict[str, Any] = {}

    def wrap(attr: str) -> None:
        original = getattr(pulumi.runtime, attr)
        originals[attr] = original

        def lookup(token: str, *args: Any, **kwargs: Any) -> Any:
            recorder.invoke_locations.setdefault(token, []).append(recorder.locator.here())
            return original(token, *args, **kwargs)

        setattr(pulumi.runtime, attr, lookup)

    for attr in ("invoke", "invoke_output", "invoke_async"):
        if hasattr(pulumi.runtime, attr):
            wrap(attr)
    pulumi.resource.Resource.__init__ = init  # type: ignore[method-assign]

    def undo() -> None:
        pulumi.resource.Resource.__init__ = original_init  # type: ignore[method-assign]
        for attr, original in originals.items():
            setattr(pulumi.runtime, attr, original)

    return undo


def make_mocks(recorder: Recorder) -> tuple[Any, Any]:
    """The mocks and the monitor class that fill the recorder as the program registers."""
    import pulumi
    from pulumi.runtime import mocks as pulumi_mocks
    from pulumi.runtime import rpc

    class RecordingMocks(pulumi.runtime.Mocks):
        def new_resource(self, args: Any) -> tuple[str | None, dict[str, Any]]:
            inputs = dict(args.inputs)
            if args.typ.startswith(PROVIDER_PREFIX):
                return f"{args.name}-provider-id", inputs
            if args.typ == "pulumi:pulumi:StackReference":
                # Another stack's outputs are not knowable offline: every one reads as None.
                return args.name, {**inputs, "outputs": {}, "secretOutputNames": []}
            provider = recorder.provider_of(args.provider)
            region = plain(inputs.get("region")) or (
                provider["region"] if provider else recorder.default_region
            )
            key = NAME_INPUTS.get(args.typ, "name")
            if args.resource_id and key not in inputs:  # `Resource.get(name, id)`: id is the name
                inputs[key] = args.resource_id
            ident, out = computed_outputs(args.typ, args.name, inputs, region)
            if args.resource_id:
                ident = args.resource_id
            if (args.typ, args.name) in recorder.remote:
                if args.typ not in MODELLED_COMPONENTS:
                    recorder.refused.append((args.typ, *recorder.place(args.typ, args.name)))
                    return None, {}
                out = component_outputs(args.typ, args.name, inputs, region)
                recorder.components.add(args.typ)
                ident = ""
            # The SDK checks outputs against the types it declares: echo only what fits.
            types = output_types(recorder.classes.get((args.typ, args.name)))
            state = conform_all({**inputs, **out}, types)
            recorder.outputs[(args.typ, args.name)] = jsonable({**out, "id": ident})
            return ident, state

        def call(self, args: Any) -> Any:
            provider = recorder.provider_of(args.provider)
            region = plain(args.args.get("region")) or (
                provider["region"] if provider else recorder.default_region
            )
            places = recorder.invoke_locations.get(args.token) or [(None, None)]
            seen = sum(1 for i in recorder.invokes if i["token"] == args.token)
            file, line = places[min(seen, len(places) - 1)]
            recorder.invokes.append(
                {
                    "token": args.token,
                    "args": jsonable(args.args),
                    "provider": provider["name"] if provider else None,
                    "region": region,
                    "file": file,
                    "line": line,
                }
            )
            return invoke_result(args.token, args.args, region)

    class RecordingMonitor(pulumi_mocks.MockMonitor):
        def RegisterResource(self, request: Any) -> Any:
            if getattr(request, "remote", False):
                recorder.remote.add((request.type, request.name))
            response = super().RegisterResource(request)  # type: ignore[no-untyped-call]
            if request.type == "pulumi:pulumi:Stack":
                return response
            file, line = recorder.place(request.type, request.name)
            is_provider = request.type.startswith(PROVIDER_PREFIX)
            raw_inputs = as_deployed(
                dict(rpc.deserialize_properties(request.object)),
                output_types(recorder.classes.get((request.type, request.name))),
            )
            provider = recorder.provider_of(request.provider)
            region = plain(raw_inputs.get("region"))  # a provider's own, or a v7 override
            if region is None and not is_provider:
                region = provider["region"] if provider else recorder.default_region
            entry = {
                "type": request.type,
                "name": request.name,
                "urn": response.urn,
                "id": response.id,
                "custom": bool(request.custom),
                "inputs": jsonable(raw_inputs),
                "provider": provider["name"] if provider else None,
                "region": region,
                "dependencies": sorted(set(request.dependencies)),
                "property_dependencies": {
                    k: sorted(v.urns) for k, v in request.propertyDependencies.items()
                },
                "parent": request.parent or None,
                "protect": bool(getattr(request, "protect", False)),
                "retain_on_delete": bool(getattr(request, "retainOnDelete", False)),
                "outputs": recorder.outputs.get((request.type, request.name), {}),
                "file": file,
                "line": line,
            }
            recorder.resources[response.urn] = entry
            if is_provider:
                recorder.provider_refs[f"{response.urn}::{response.id}"] = {
                    "name": request.name,
                    "region": plain(raw_inputs.get("region")),
                }
            return response

    return RecordingMocks(), RecordingMonitor

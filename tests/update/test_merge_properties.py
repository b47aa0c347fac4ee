"""`drgen update` over generated scenarios (hypothesis): no user line lost, nothing else touched.

Each scenario is a base (what drgen rendered last time), a template change (lines changed,
added, removed; files added, removed, renamed; the executable bit) and user edits (lines
changed, added, removed; files deleted, moved, added; CRLF; chmod; non-UTF-8 bytes). The
project is written to disk with a real record and updated through the real command line; only
copier is replaced by the scenario's rendered files, so one scenario costs milliseconds.

Invariants:
- every line the user wrote is still in the file afterwards (merged, or inside a conflict
  block), and a file the user changed but cannot be merged is kept byte for byte;
- a file the user did not touch ends up exactly as the template renders it (bytes and the
  executable bit); a file the template did not change is byte-identical, mode included;
- files drgen never generated, and everything outside the project, are untouched;
- the exit code is 4 exactly when conflicts are reported, each reported conflict has markers
  or is kept as it was, and no other file has new markers; merged CRLF files stay CRLF;
- running the update a second time changes nothing.
"""

from __future__ import annotations

import json
import os
import stat
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drgen.answers.model import Answers
from drgen.answers.rules import build_answers
from drgen.answers.sources import fill_defaults
from drgen.errors import EXIT_CONFLICT, EXIT_OK
from drgen.project.blob import Blob
from drgen.project.record import record_files

pytestmark = pytest.mark.integration

BASE_PATHS = ["a.txt", "d/b.txt", "d/e/c.py", "run.sh"]
NEW_PATHS = ["new/x.txt", "d/new.txt", "z.txt"]  # the template may add or rename to these
MOVED_PATHS = ["moved/a.txt", "elsewhere.txt"]  # the user may move files here
MARKER = b"<<<<<<< yours"


def answers() -> Answers:
    raw: dict[str, object] = {}
    fill_defaults("demo", raw)
    return build_answers("demo", raw)


def join(lines: list[str], final_newline: bool) -> bytes:
    text = "\n".join(lines)
    return (text + "\n" if final_newline and lines else text).encode()


def split(data: bytes) -> list[bytes]:
    return [line.rstrip(b"\r") for line in data.split(b"\n") if line]


@st.composite
def edited(draw: st.DrawFn, lines: list[str], tag: str) -> list[str]:
    """Lines with some changed, removed and inserted (tagged, so each is recognisable)."""
    out: list[str] = []
    for index, line in enumerate(lines):
        action = draw(st.sampled_from(["keep", "keep", "change", "remove", "insert"]))
        if action == "keep":
            out.append(line)
        elif action == "change":
            out.append(f"{line} {tag}")
        elif action == "insert":
            out += [line, f"{tag} inserted after {index}"]
    if draw(st.booleans()):
        out.append(f"{tag} at the end")
    return out


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[dict[str, Blob], dict[str, Blob], dict[str, Blob]]:
    """(base, theirs, yours) as path -> bytes and mode."""
    base_lines: dict[str, list[str]] = {}
    base: dict[str, Blob] = {}
    for path in draw(st.lists(st.sampled_from(BASE_PATHS), min_size=1, max_size=4, unique=True)):
        lines = [f"{path} line {i}" for i in range(draw(st.integers(0, 5)))]
        base_lines[path] = lines
        base[path] = Blob(join(lines, draw(st.booleans())), draw(st.sampled_from([0o644, 0o755])))

    theirs: dict[str, Blob] = {}
    free = list(NEW_PATHS)
    for path, blob in base.items():
        change = draw(st.sampled_from(["same", "edit", "remove", "rename", "mode", "edit"]))
        final = blob.data.endswith(b"\n") or not blob.data
        if change == "same":
            theirs[path] = blob
        elif change == "edit":
            lines = draw(edited(base_lines[path], "theirs"))
            theirs[path] = Blob(join(lines, final), blob.mode)
        elif change == "mode":
            theirs[path] = Blob(blob.data, 0o644 if blob.executable else 0o755)
        elif change == "rename" and free:
            theirs[free.pop(0)] = blob
    for path in draw(
        st.lists(st.sampled_from(free), unique=True, max_size=2) if free else st.just([])
    ):
        theirs[path] = Blob(join([f"{path} new {i}" for i in range(3)], True), 0o644)

    yours: dict[str, Blob] = {}
    moves = list(MOVED_PATHS)
    for path, blob in base.items():
        change = draw(
            st.sampled_from(["same", "edit", "edit", "delete", "move", "crlf", "chmod", "binary"])
        )
        final = blob.data.endswith(b"\n") or not blob.data
        if change == "same":
            yours[path] = blob
        elif change == "edit":
            lines = draw(edited(base_lines[path], "yours"))
            yours[path] = Blob(join(lines, draw(st.booleans()) if lines else final), blob.mode)
        elif change == "move" and moves:
            yours[moves.pop(0)] = blob
        elif change == "crlf":
            lines = draw(edited(base_lines[path], "yours"))
            yours[path] = Blob(join(lines, final).replace(b"\n", b"\r\n"), blob.mode)
        elif change == "chmod":
            yours[path] = Blob(blob.data, draw(st.sampled_from([0o600, 0o700, 0o640])))
        elif change == "binary":
            yours[path] = Blob(b"\xff\xfe yours latin-1 \xe9\n" + blob.data, blob.mode)
    for path in draw(st.lists(st.sampled_from([*moves, *NEW_PATHS]), unique=True, max_size=2)):
        if path not in yours:  # the user's own file, perhaps where the template adds one
            yours[path] = Blob(join([f"{path} yours own {i}" for i in range(2)], True), 0o644)
    return base, theirs, yours


def write(root: Path, files: dict[str, Blob]) -> None:
    for path, blob in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(blob.data)
        target.chmod(blob.mode)


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    found = {}
    for dirpath, _, filenames in os.walk(root):
        for name in filenames:
            path = Path(dirpath, name)
            found[path.relative_to(root).as_posix()] = (
                path.read_bytes(),
                stat.S_IMODE(path.stat().st_mode),
            )
    return found


def has_marker(data: bytes) -> bool:
    return MARKER in split(data)


def is_text(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(scenario=scenarios())
def test_update_keeps_every_user_line_and_touches_nothing_else(
    invoke, monkeypatch: pytest.MonkeyPatch, scenario
) -> None:  # type: ignore[no-untyped-def]
    base, theirs, yours = scenario
    monkeypatch.setattr("drgen.update.plan.render_files", lambda _answers: dict(theirs))
    monkeypatch.setattr("drgen.update.plan.user_files", set)
    with tempfile.TemporaryDirectory(prefix="drgen-property-") as tmp:
        outside = Path(tmp) / "outside.txt"
        outside.write_bytes(b"outside\n")
        project = Path(tmp) / "demo"
        project.mkdir()
        write(project, yours)
        for path, data in record_files(answers(), base).items():
            (project / path).parent.mkdir(exist_ok=True)
            (project / path).write_bytes(data)

        result = invoke("update", str(project), "--no-verify", "--json")
        doc = json.loads(result.stdout)
        after = snapshot(project)

        # exit codes match the outcome
        assert result.exit_code in (EXIT_OK, EXIT_CONFLICT), result.output
        assert (result.exit_code == EXIT_CONFLICT) == bool(doc["conflicts"]), doc
        for path in set(yours) | set(theirs):
            now = after.get(path)
            new_markers = (
                now is not None
                and has_marker(now[0])
                and not has_marker(yours[path].data if path in yours else b"")
            )
            if path in doc["conflicts"]:
                assert new_markers or now == (yours[path].data, yours[path].mode), path
            else:
                assert not new_markers, path

        # nothing outside the project, nor any file drgen never generated, is touched
        assert outside.read_bytes() == b"outside\n"
        assert set(after) - {".drgen/answers.yml", ".drgen/base.json"} <= set(yours) | set(theirs)
        for path, blob in yours.items():
            if path not in base and path not in theirs:
                assert after[path] == (blob.data, blob.mode), path

        for path, blob in yours.items():
            now = after.get(path)
            # every line the user wrote survives (merged or inside a conflict block)
            user_lines = [line for line in split(blob.data) if b"yours" in line]
            if user_lines:
                assert now is not None, f"{path} with user lines was removed"
                if not is_text(blob.data):
                    assert now[0] == blob.data, path
                for line in user_lines:
                    assert line in split(now[0]), (path, line)
            # a file the template did not change is left exactly as it is
            if base.get(path) == theirs.get(path):
                assert now == (blob.data, blob.mode), path
            # a file the user did not touch becomes the template's
            elif path in base and blob == base[path]:
                want = theirs.get(path)
                assert now == (None if want is None else (want.data, want.mode)), path
            # merged CRLF stays CRLF
            if (
                now is not None
                and b"\r\n" in blob.data
                and blob.data.count(b"\r\n") == blob.data.count(b"\n")
                and now[0] != blob.data
            ):
                assert now[0].count(b"\r\n") == now[0].count(b"\n"), path

        # a second update is a no-op
        again = invoke("update", str(project), "--no-verify")
        assert again.exit_code == EXIT_OK, again.output
        assert again.stdout.startswith(f"{project} is already up to date"), again.output
        assert snapshot(project) == after

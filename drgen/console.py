"""The `drgen` command's entry point: catches Ctrl-C (and SIGTERM) while drgen's imports load.

Importing drgen.cli pulls in typer, copier and pydantic (about half a second); a Ctrl-C in
that time must end with one line and exit 130 like any other interrupt, not a traceback. So
this module imports only built-in modules and `drgen.interrupts` (one flag) before the `try`
(`json` waits for the `except`).
A Ctrl-C during the interpreter's own start, before any of drgen runs, ends the process by
the signal, with nothing written. One after the command's outcome is decided (its result
being printed) is ignored: it can stop nothing, and must not turn the outcome into exit 130.
"""

from __future__ import annotations

import signal
import sys

from drgen import interrupts

EXIT_INTERRUPTED = 130  # drgen.errors.EXIT_INTERRUPTED, not imported: it must stay light
MESSAGE = "interrupted; nothing was written"


def main() -> None:
    """Run the command line; a Ctrl-C before a command starts ends with one line, exit 130."""
    interrupted = False
    interrupts.reset()

    def on_ctrl_c(signum: int, frame: object) -> None:
        nonlocal interrupted
        if interrupts.too_late():  # the result is being printed: nothing left to stop
            return
        interrupted = True
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, on_ctrl_c)
    # A SIGTERM (a CI job cancelled, `kill`) is a Ctrl-C: it goes to whatever handles SIGINT
    # at that moment (a rollback holds it, a forked render notes it), so it ends the same way.
    signal.signal(signal.SIGTERM, lambda signum, frame: signal.raise_signal(signal.SIGINT))
    try:
        from drgen.cli.app import main as cli_main

        cli_main()
    except BaseException as error:
        # A library being imported may wrap the KeyboardInterrupt it was interrupted by (a
        # dataclass decorator re-raising it as its own error): after a Ctrl-C, that is one too.
        if isinstance(error, SystemExit) or not (
            isinstance(error, KeyboardInterrupt) or interrupted
        ):
            raise
        if "--json" in sys.argv[1:]:
            import json

            command = next((arg for arg in sys.argv[1:] if not arg.startswith("-")), "drgen")
            doc = {"command": command, "result": "interrupted", "exit_code": EXIT_INTERRUPTED}
            print(json.dumps(doc | {"errors": [MESSAGE]}, indent=2))
        print(f"drgen: error: {MESSAGE}", file=sys.stderr)
        raise SystemExit(EXIT_INTERRUPTED) from None
    finally:
        # Done or rolled back: a Ctrl-C while Python exits must not replace the exit code.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)


if __name__ == "__main__":
    main()

"""Run one call in a forked child process: its imports and heap end with it.

On Linux `drgen new` renders this way, and `drgen update` plans. Rendering loads copier,
jinja and their data (about 22 MB) that drgen would otherwise hold through the verification
that follows, while the verifying child holds its own heap: the two add up. The call sees
exactly what the parent would (the fork copies the process), and its result or exception
comes back pickled.

A Ctrl-C reaches the child as it reaches drgen (a terminal signals the whole process group)
and the child rolls back as it would in process. drgen only notes it while it waits, then
raises KeyboardInterrupt once the child has ended, so it never exits while the child still
writes. A signal sent to drgen alone lets the child finish: the project is then whole.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
import traceback
from collections.abc import Callable
from typing import Any, TypeVar

from drgen.errors import DrgenError

T = TypeVar("T")


def in_child(function: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """`function(*args, **kwargs)`, run in a forked child on Linux; elsewhere in this process.

    Forking without exec is unsafe on macOS once a system framework is loaded (Python's own
    multiprocessing spawns there), and Windows has no fork.
    """
    if sys.platform != "linux":
        return function(*args, **kwargs)
    for stream in (sys.stdout, sys.stderr):
        stream.flush()  # or the child's copy of a buffer would be written twice
    read, write = os.pipe()
    # no Ctrl-C between the fork and the handler below: drgen must not exit before the child
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        pid = os.fork()
    except BaseException:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        os.close(read)
        os.close(write)
        raise
    if pid == 0:  # the child: never returns, never runs the parent's exit handlers
        status = 1
        try:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
            os.close(read)
            try:
                outcome: tuple[bool, Any] = (True, function(*args, **kwargs))
            except BaseException as error:
                outcome = (False, error)
            with open(write, "wb") as pipe:
                pipe.write(_encode(outcome))
            for stream in (sys.stdout, sys.stderr):
                stream.flush()
            status = 0
        finally:
            os._exit(status)
    os.close(write)
    interrupted: list[int] = []
    installed = False
    try:
        previous = signal.signal(signal.SIGINT, lambda signum, frame: interrupted.append(signum))
        installed = True
    except ValueError:  # not the main thread: no signal reaches this code
        pass
    try:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        with open(read, "rb") as pipe:
            data = pipe.read()
        _, wait_status = os.waitpid(pid, 0)
    finally:
        if installed:  # None: the previous handler was not Python's; Python's default then
            signal.signal(
                signal.SIGINT, previous if previous is not None else signal.default_int_handler
            )
    if interrupted:
        raise KeyboardInterrupt
    if not data:
        raise RuntimeError(
            f"drgen's child process ended without a result "
            f"(exit status {os.waitstatus_to_exitcode(wait_status)})"
        )
    ok, value = pickle.loads(data)  # noqa: S301 - our own child, over our own pipe
    if ok:
        return value  # type: ignore[no-any-return]
    raise value


def _encode(outcome: tuple[bool, Any]) -> bytes:
    """The pickled outcome; an error that cannot make the trip comes back as its text."""
    ok, value = outcome
    if ok:
        try:
            return pickle.dumps(outcome)
        except Exception as error:  # a bug: the call returned what cannot make the trip
            return pickle.dumps((False, RuntimeError(f"the result cannot be pickled: {error}")))
    if isinstance(value, Exception) and not isinstance(value, DrgenError):
        # a bug, not a refusal: keep where it happened
        text = "".join(traceback.format_exception(value)).rstrip()
        value.add_note(f"(raised in drgen's child process)\n{text}")
    try:
        data = pickle.dumps(outcome)
        pickle.loads(data)  # noqa: S301 - only checks that it survives the trip
    except Exception as error:
        text = "".join(traceback.format_exception(value)).rstrip()
        return pickle.dumps((False, RuntimeError(f"{text}\n(not picklable: {error})")))
    return data

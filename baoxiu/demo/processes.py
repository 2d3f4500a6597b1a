"""Running the demo's web server and worker side by side as child processes."""

from __future__ import annotations

import signal
import subprocess
import threading
from collections.abc import Callable, Sequence

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def supervise(
    commands: Sequence[Sequence[str]],
    *,
    on_started: Callable[[], None] | None = None,
    stop_timeout: float = 10.0,
    poll_seconds: float = 0.2,
) -> int:
    """Start every command, wait for a stop signal or for any child to exit, then stop them all.

    Children run in their own process group, so a Ctrl-C in the terminal
    reaches only this process, which passes on exactly one SIGTERM to each
    child (a second signal would make uvicorn skip its graceful shutdown).
    A child still running ``stop_timeout`` seconds later is killed.
    Returns 0 after a stop signal, else the exit code of the child that ended first.
    """
    stop = threading.Event()

    def request_stop(signum, frame):
        stop.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in STOP_SIGNALS}
    children: list[subprocess.Popen] = []
    ended: subprocess.Popen | None = None
    try:
        for command in commands:
            # Our own fixed argument lists (this interpreter), never shell strings.
            children.append(subprocess.Popen(list(command), process_group=0))  # noqa: S603
        if on_started is not None:
            on_started()
        while not stop.is_set():
            ended = next((c for c in children if c.poll() is not None), None)
            if ended is not None:
                break
            stop.wait(poll_seconds)
    finally:
        stop_children(children, timeout=stop_timeout)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if ended is not None and not stop.is_set():
        return ended.returncode or 1
    return 0


def stop_children(children: Sequence[subprocess.Popen], *, timeout: float) -> None:
    """SIGTERM every running child, wait up to ``timeout`` seconds, then SIGKILL the rest."""
    running = [c for c in children if c.poll() is None]
    for child in running:
        child.terminate()
    for child in running:
        try:
            child.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()

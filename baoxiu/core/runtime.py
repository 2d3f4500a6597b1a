"""Process start-up shared by the web server and the worker."""

import gc


def freeze_startup_heap() -> None:
    """Move everything loaded at start-up out of the garbage collector's way.

    Django, the URL tree, the division table and the solvers' modules are a
    six-figure number of long-lived objects. Left in the collector's view,
    every full collection walks them all (tens of milliseconds, every few
    dozen requests), which is what made the tail of assignment latency. They
    live as long as the process, so they are frozen once, after start-up.
    """
    gc.collect()
    gc.freeze()

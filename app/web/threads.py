"""How many requests a web worker process runs in its threads at once.

The handlers are synchronous (they use the database), so Starlette runs each in
anyio's thread pool, which allows 40 at a time. Measured on PostgreSQL
(bench/public_pages.py, 16 connections on 2 workers, the public record API with a
session cookie): with 6 to 40 threads, about one run in two had requests stalled for
1.2 to 4.9 s, with the database connection "idle in transaction" (ClientRead) all the
while: the thread had its answer and waited to run again. Every thread that returns
from the database must win the interpreter's lock back from the event loop and the
other threads, and with a core per process the losers can wait seconds. With 2 or 4
threads: no stall in eight runs, p99 37–68 ms, the same throughput (the CPU is the
limit, not the threads). Requests beyond the limit wait their turn in the limiter's
queue, first come first served.

The limit also bounds what runs at once on slow outside I/O in a handler (the e-ID
provider's token exchange at sign-in); the page cache answers anonymous pages before
any thread is needed. `WEB_THREADS` sets it.
"""

from __future__ import annotations

from anyio import to_thread


def limit(threads: int) -> None:
    """Run at most `threads` handlers at once in this event loop's worker threads."""
    to_thread.current_default_thread_limiter().total_tokens = threads

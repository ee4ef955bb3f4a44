"""How many requests a web worker process runs in its threads at once.

The handlers are synchronous (they use the database), so Starlette runs each in
anyio's thread pool, which allows 40 at a time. Measured on PostgreSQL
(bench/public_pages.py's servers, 16 connections on 2 workers, an initiative's page
and its public record API with a session cookie, 10 s runs): with 40 threads, 6 of
16 runs had requests stalled 0.6 to 4.9 s, the database connection "idle in
transaction" (ClientRead) all the while, right after its BEGIN or first statement, and
the worker process partly idle; with 6 or 8 threads, about one run in two; with 4, 2 of
9. With 3: none in 8 runs, with 2: none in 12 (p99 50–92 ms), at the same throughput
(the CPU is the limit, not the threads). The cause is not pinned down: no page faults,
no locks in the database, and not its prepared statements (stalls without them too);
each thread back from the database must win the interpreter's lock again, and the
stalls grow with the number of threads that compete for it. Requests beyond the limit wait their turn in the limiter's queue, first come first
served.

The limit also bounds what runs at once on slow outside I/O in a handler (the e-ID
provider's token exchange at sign-in); the page cache answers anonymous pages before
any thread is needed. `WEB_THREADS` sets it.
"""

from __future__ import annotations

from anyio import to_thread


def limit(threads: int) -> None:
    """Run at most `threads` handlers at once in this event loop's worker threads."""
    to_thread.current_default_thread_limiter().total_tokens = threads

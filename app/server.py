"""`portal serve`: the web server, with its load spread over every worker process.

uvicorn's own `--workers` shares one listening socket between the processes,
and each worker's event loop accepts connections as fast as it can, so under
a burst one process often takes every keep-alive connection while the others
sit idle (measured: 25 of 31 runs with all 16 connections on one worker).
Here each worker process opens its own listening socket on the same address
with SO_REUSEPORT, and the kernel hands each new connection to one of them by
a hash of its addresses: connections are spread evenly over the workers and
so over the cores. The parent process only supervises: it starts the workers,
restarts one that dies, and passes SIGTERM/SIGINT on for a graceful stop.

One worker (the default, and `make run`) is plain `uvicorn.run`.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import socket
import time
from typing import Any

import uvicorn

log = logging.getLogger("portal.server")

APP = "app.main:create_app"
BACKLOG = 2048
STOP_GRACE_SECONDS = 30


def _config(host: str, port: int, app: str) -> uvicorn.Config:
    # loop/http "auto": uvloop and httptools when installed (uvicorn[standard]).
    return uvicorn.Config(
        app,
        factory=True,
        host=host,
        port=port,
        # Forwarded headers are honoured by the app itself, only from the proxies named in
        # the FORWARDED_ALLOW_IPS setting (see create_app).
        proxy_headers=False,
        backlog=BACKLOG,
    )


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound with SO_REUSEPORT: every worker binds its own on the same address."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


def _worker(host: str, port: int, app: str) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop (SIGTERM)
    sock = listening_socket(host, port)
    uvicorn.Server(_config(host, port, app)).run(sockets=[sock])


def serve(host: str, port: int, workers: int = 1, app: str = APP) -> None:
    """Serve `app` (an app factory's import path: the portal's, or the benchmark's bare
    FastAPI app that measures what the host itself can do) on `workers` processes."""
    if workers <= 1:
        uvicorn.run(app, factory=True, host=host, port=port, proxy_headers=False)
        return
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    listening_socket(host, port).close()  # fail here, once, if the address is taken
    context = multiprocessing.get_context("spawn")
    processes: dict[int, Any] = {}
    stopping = False

    def start(slot: int) -> None:
        process = context.Process(target=_worker, args=(host, port, app), name=f"portal-web-{slot}")
        process.start()
        processes[slot] = process
        log.info("web worker %s started (pid %s) on %s:%s", slot, process.pid, host, port)

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for slot in range(workers):
        start(slot)
    while not stopping:
        time.sleep(0.5)
        for slot, process in list(processes.items()):
            if not process.is_alive() and not stopping:
                log.warning("web worker %s exited (code %s); restarting", slot, process.exitcode)
                time.sleep(1)  # no tight loop if a worker cannot start
                start(slot)
    for process in processes.values():
        process.terminate()  # SIGTERM: uvicorn finishes the requests in flight
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for process in processes.values():
        process.join(max(0.0, deadline - time.monotonic()))
        if process.is_alive():
            process.kill()

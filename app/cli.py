"""The `portal` command: serve, migrate, create-admin, worker, demo, and what domains add.

A domain adds commands with an `app/<domain>/cli.py` that defines
`register(subparsers)`; each command's function takes the parsed arguments.
"""

from __future__ import annotations

import argparse
import getpass
import logging
import signal
import sys

from app import config, domains
from app.db import make_engine, unit_of_work


def _engine():
    domains.load_models()
    domains.load_tasks()
    return make_engine(config.get_settings().db_url)


def migrate(args: argparse.Namespace) -> None:
    from app.migrate import upgrade

    upgrade(config.get_settings().db_url, args.revision)
    print(f"database at {args.revision}")


def serve(args: argparse.Namespace) -> None:
    from app.server import serve as run_server

    run_server(args.host, args.port, args.workers)


def worker(args: argparse.Namespace) -> None:
    from app.outbox.worker import Worker

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    w = Worker(_engine())
    signal.signal(signal.SIGTERM, lambda *_: w.stop())
    print(f"outbox worker {w.name} running; Ctrl-C to stop")
    try:
        w.loop()
    except KeyboardInterrupt:
        w.stop()


def create_admin(args: argparse.Namespace) -> None:
    from app.accounts import service
    from app.accounts.models import Role

    password = args.password or getpass.getpass("Password: ")
    with unit_of_work(_engine()) as session:
        user = service.get_by_email(session, args.email)
        if user is None:
            user = service.create_user(
                session,
                email=args.email,
                full_name=args.name,
                password=password,
                roles=(Role.admin, Role.coordinator),
                verified=True,
            )
        else:
            for role in (Role.admin, Role.coordinator):
                service.grant_role(session, user, role, by=None)
    print(f"admin {args.email} ready")


def demo(args: argparse.Namespace) -> None:
    from app.demo import load_demo

    with unit_of_work(_engine()) as session:
        lines = load_demo(session, only_if_empty=args.if_empty)
    print("\n".join(lines))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="portal", description="Initiative portal")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("serve", help="run the web server")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument(
        "--workers", type=int, default=1, help="processes; the kernel spreads connections over them"
    )
    p.set_defaults(func=serve)

    p = sub.add_parser("migrate", help="upgrade the database schema")
    p.add_argument("revision", nargs="?", default="head")
    p.set_defaults(func=migrate)

    p = sub.add_parser("worker", help="deliver outbox events (mail, indexing, notifications)")
    p.set_defaults(func=worker)

    p = sub.add_parser("create-admin", help="create or promote an administrator")
    p.add_argument("email")
    p.add_argument("--name", default="Administrator")
    p.add_argument("--password")
    p.set_defaults(func=create_admin)

    p = sub.add_parser("demo", help="load demo data and print the demo logins")
    p.add_argument("--if-empty", action="store_true", help="do nothing if users exist")
    p.set_defaults(func=demo)

    for module in domains.modules("cli"):
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    try:
        args.func(args)
    except config.SettingsError as exc:
        sys.exit(f"configuration error: {exc}")


if __name__ == "__main__":
    main()

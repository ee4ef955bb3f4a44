"""Outbox topics have one source: app/outbox/topics.py. No bare topic strings, no unknown topics."""

from __future__ import annotations

import ast
from pathlib import Path

from app import domains
from app.outbox import service, topics

APP = Path(__file__).resolve().parents[2] / "app"


def test_every_consumed_topic_is_in_the_registry_and_every_topic_has_a_consumer():
    domains.load_tasks()
    consumed = {t for t in service.handlers if not t.startswith("test.")}
    assert consumed == topics.ALL


# Webhook event types are a public contract of their own (two share a topic's name).
NOT_TOPICS = {APP / "outbox" / "topics.py", APP / "webhooks" / "models.py"}


def test_no_module_spells_a_topic_as_a_bare_string():
    found = []
    for path in sorted(APP.rglob("*.py")):
        if path in NOT_TOPICS:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and node.value in topics.ALL:
                found.append(f"{path.relative_to(APP)}:{node.lineno} {node.value}")
    assert found == []


def test_the_registry_lists_each_topic_once():
    names = [n for n in vars(topics) if n.isupper() and n != "ALL"]
    values = [getattr(topics, n) for n in names]
    assert len(values) == len(set(values)) == len(topics.ALL) == 31

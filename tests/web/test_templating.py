"""`render`'s helpers: parts of a page kept per process (`kept_part`)."""

from __future__ import annotations

import re
import uuid

import jinja2

from app import i18n
from app.web import templating


def test_a_kept_part_is_rendered_once_per_key_and_each_time_without_one():
    rendered: list[int] = []
    env = jinja2.Environment(
        loader=jinja2.DictLoader(
            {
                "page.html": "{{ kept_part('part.html', key) }}|{{ who }}",
                "part.html": "{{ n() }}:{{ what }}",
            }
        ),
        autoescape=True,
    )
    env.globals.update(
        kept_part=templating.kept_part, n=lambda: rendered.append(1) or len(rendered)
    )
    page = env.get_template("page.html")
    key = uuid.uuid4().hex  # parts are kept per process: a key of this test's own

    assert page.render(key=key, what="<b>", who="x") == "1:&lt;b&gt;|x"  # escaped once
    assert page.render(key=key, what="other", who="y") == "1:&lt;b&gt;|y"  # kept; the rest is not
    assert page.render(key=key + "-2", what="other", who="y") == "2:other|y"
    assert page.render(key="", what="c", who="z") == "3:c|z"  # no key: rendered each time
    assert page.render(key="", what="c", who="z") == "4:c|z"


def test_messages_are_translated_escaped_and_formatted_as_jinjas_newstyle_gettext():
    page = templating.env.from_string(
        '{{ _("Sign in") }}|{{ _("Your share (%%)") }}|{{ _("%(n)s x", n="<b>") }}|'
        '{{ ngettext("%(num)s review", "%(num)s reviews", 2) }}|{% trans %}Sign in{% endtrans %}|'
        "{% trans n=3 %}{{ n }} item{% pluralize %}{{ n }} items{% endtrans %}"
    )
    assert page.render() == "Đăng nhập|Tỷ lệ của bạn (%)|&lt;b&gt; x|2 reviews|Đăng nhập|3 items"
    with i18n.use_language("en"):
        assert page.render() == "Sign in|Your share (%)|&lt;b&gt; x|2 reviews|Sign in|3 items"


def test_macros_are_imported_without_the_page_context_so_each_module_is_made_once(monkeypatch):
    """An import `with context` makes the macros' module again at every rendering."""
    folder = templating.FRONTEND / "templates"
    importing = [
        path.relative_to(folder).as_posix()
        for path in sorted(folder.rglob("*.html"))
        if re.search(r"\{%-?\s*(import|from)\b[^%]*\bwith context", path.read_text())
    ]
    assert importing == []

    macros = templating.env.get_template("macros.html")
    made: list[int] = []
    make_module = macros.make_module
    monkeypatch.setattr(
        macros, "make_module", lambda *a, **kw: made.append(1) or make_module(*a, **kw)
    )
    monkeypatch.setattr(macros, "_module", None)
    for spelling in ("", " with context"):
        page = templating.env.from_string(
            f'{{% import "macros.html" as f{spelling} %}}{{{{ f.csrf() }}}}'
        )
        for _ in range(3):
            assert page.render() == '<input type="hidden" name="csrf_token" value="">'
    assert len(made) == 1 + 3  # once without the context, at every rendering with it

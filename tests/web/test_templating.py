"""`render`'s helpers: parts of a page kept per process (`kept_part`)."""

from __future__ import annotations

import uuid

import jinja2

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

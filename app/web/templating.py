"""Jinja2 templates with gettext, and the `render()` every page goes through.

Template globals and per-page values (the inbox's unread count, other domains'
blocks) are registered in one place, `app/web/page_globals.py`, and read
through the request's own session.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from pathlib import Path
from typing import Any

import jinja2
from fastapi import Request
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from starlette.responses import Response

from app import i18n
from app.web.static import StaticNames
from search.kept import Kept

FRONTEND = Path(__file__).resolve().parent.parent.parent / "frontend"
env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(FRONTEND / "templates"),
    autoescape=jinja2.select_autoescape(("html", "xml")),
    extensions=["jinja2.ext.i18n", StaticNames],  # /static/… paths get content-hashed names
)
templates = Jinja2Templates(env=env)
# gettext for templates, newstyle (the callables format their own `%(name)s`; `{% trans %}`
# blocks compile to calls of them). Jinja's `install_gettext_callables` would wrap the
# translation functions in a second `context.call` (a dozen Python calls per message, and a
# page has 30–60 messages): these are its newstyle callables without that call.
env.newstyle_gettext = True  # type: ignore[attr-defined]


@jinja2.pass_eval_context
def _gettext(eval_ctx: jinja2.nodes.EvalContext, message: str, /, **variables: Any) -> str:
    text = i18n.translate(message)
    return (Markup(text) if eval_ctx.autoescape else text) % variables


@jinja2.pass_eval_context
def _ngettext(
    eval_ctx: jinja2.nodes.EvalContext, singular: str, plural: str, num: float, /, **variables: Any
) -> str:
    variables.setdefault("num", num)
    text = i18n.translate_plural(singular, plural, num)
    return (Markup(text) if eval_ctx.autoescape else text) % variables


env.globals.update(gettext=_gettext, _=_gettext, ngettext=_ngettext)
env.globals.update(
    format_datetime=i18n.format_datetime,
    format_date=i18n.format_date,
    format_number=i18n.format_number,
    languages=i18n.LANGUAGES,
)


class LazyToken:
    """The page's CSRF token, made (and stored in the session) only if the page has a form.

    A page without a form then leaves the session untouched: an anonymous
    visitor gets no session cookie, and the page stays cacheable.
    """

    def __init__(self, request: Request) -> None:
        self.request = request

    def __str__(self) -> str:
        from app.web.csrf import csrf_token

        return csrf_token(self.request)

    __html__ = __str__

    def __bool__(self) -> bool:
        return "session" in self.request.scope


# The current page's CSRF token, readable from macros imported without context.
_csrf: ContextVar[LazyToken | None] = ContextVar("csrf_token", default=None)
env.globals["csrf_value"] = lambda: str(_csrf.get() or "")

PARTS_KEPT = 512  # rendered parts of pages (a results list is 10–20 KiB)
_parts: Kept[Markup] = Kept(PARTS_KEPT, copy=lambda part: part)  # a str cannot be changed


@jinja2.pass_context
def kept_part(context: jinja2.runtime.Context, template: str, key: str) -> Markup:
    """`template` rendered with this page's context, kept per process under `key`.

    For a part of a page that is the same for everyone who asks with the same key: the
    key names everything the part shows (a results page's `stamp`: its parameters,
    language, index generation and field names), and the part shows nothing of the
    visitor's own (no user, form token or flash message). An empty key: rendered each time.
    """

    def part() -> Markup:
        return Markup(context.environment.get_template(template).render(context.get_all()))

    return _parts.get((template, key), "", part) if key else part()


env.globals["kept_part"] = kept_part


_nav: list[tuple[int, str, str, Callable[[Any], bool]]] = []


def nav_item(
    label: str, href: str, *, visible: Callable[[Any], bool] = lambda user: True, order: int = 50
) -> None:
    """Add a main-menu link; `label` is an English msgid translated at render time,
    `visible(user)` a permission predicate."""
    _nav.append((order, label, href, visible))


_globals_installed = False


def _install_globals() -> None:
    global _globals_installed
    if not _globals_installed:
        from app.web import page_globals

        page_globals.install(env)
        _globals_installed = True


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    from app.web.flash import pop_flashes

    user = getattr(request.state, "user", None)
    token = LazyToken(request)
    _csrf.set(token)
    ctx: dict[str, Any] = {
        "lang": i18n.get_language(),
        "csrf_token": token,
        "flashes": pop_flashes(request),
        "current_user": user,
        "here": here(request),
        "nav_items": [
            {"label": i18n.gettext(label), "href": href}
            for _o, label, href, visible in sorted(_nav, key=lambda n: n[0])
            if visible(user)
        ],
    }
    from app.web.page_globals import page_context

    _install_globals()
    ctx.update(page_context(request))
    ctx.update(context or {})
    return templates.TemplateResponse(
        request, template, ctx, status_code=status_code, headers=headers
    )


def here(request: Request) -> str:
    """The page's path and query, for links that come back to it (the language switch,
    "sign in"), read from the scope: `request.url` parses a whole URL for them."""
    query: bytes = request.scope.get("query_string", b"")
    return request.scope["path"] + ("?" + query.decode("latin-1") if query else "")


def has_template(name: str) -> bool:
    """Whether the template exists: one lookup through the loader's cache, not a walk of the folder."""
    try:
        env.get_template(name)
    except jinja2.TemplateNotFound:
        return False
    return True


def render_string(template: str, context: dict[str, Any]) -> str:
    """Render a template outside a request (mails, feeds)."""
    _install_globals()
    return env.get_template(template).render(lang=i18n.get_language(), **context)

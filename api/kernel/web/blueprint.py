"""The Blueprint every domain's routes use: each route says who may call it and, if it pages,
how; the declaration both enforces and documents it (OpenAPI security, 401/403 in the one error
format, the page parameters and envelope).

Access kinds carry their own check, so the kernel knows none of them: ``PUBLIC`` is here, the
sign-in kinds are identity's (``api.auth.guard``), the signatures are their integrations'.
A route whose method declares no access is refused when it is registered: the app does not start.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import marshmallow as ma
from flask.views import MethodView
from flask_smorest import Blueprint as SmorestBlueprint

from api.kernel.pagination import PageArgsSchema
from api.kernel.web.openapi import ErrorSchema

# The HTTP methods a view may answer; HEAD and OPTIONS follow GET and Flask.
_VIEW_METHODS = ("get", "post", "put", "patch", "delete")
_ACCESS = "_dvc_access"
_PAGED = "_dvc_paged"
PAGE_FIELDS = {"items", "page", "page_size", "total", "pages"}


class UndeclaredAccess(Exception):
    """A route was registered without saying who may call it."""


@dataclass(frozen=True)
class Access:
    """Who may call a route: ``check`` refuses the others (raises ApiError) before the view runs.

    ``security`` is the OpenAPI security requirement (None: none documented), ``refusals`` the
    error answers the check gives, as (status, description)."""

    name: str
    check: Callable[[], None] | None = None
    security: tuple[dict, ...] | None = None
    refusals: tuple[tuple[int, str], ...] = ()


PUBLIC = Access("public")


class Blueprint(SmorestBlueprint):
    def access(self, access: Access) -> Callable:
        """Declare (and enforce) who may call this route method."""

        def decorator(func: Callable) -> Callable:
            if access.check is None:
                wrapper = func
            else:

                @functools.wraps(func)
                def wrapper(*args, **kwargs):
                    access.check()
                    return func(*args, **kwargs)

            for status, description in access.refusals:
                wrapper = self.alt_response(status, schema=ErrorSchema, description=description)(
                    wrapper
                )
            doc: dict = {"x-access": access.name}
            if access.security is not None:
                doc["security"] = list(access.security)
            wrapper = self.doc(**doc)(wrapper)
            setattr(wrapper, _ACCESS, access)
            return wrapper

        return decorator

    def paged(self, args_schema: type[ma.Schema], page_schema: type[ma.Schema]) -> Callable:
        """A paged list: ``page``/``page_size`` (and the args' filters) in the query, the page
        envelope (``items``, ``page``, ``page_size``, ``total``, ``pages``) out."""

        # The one paging style (api.kernel.pagination), checked when the route is declared.
        if not issubclass(args_schema, PageArgsSchema):
            raise TypeError(f"{args_schema.__name__}: paged arguments extend PageArgsSchema")
        missing = PAGE_FIELDS - set(page_schema._declared_fields)
        if missing:
            raise TypeError(
                f"{page_schema.__name__}: no {', '.join(sorted(missing))} (page_schema)"
            )

        def decorator(func: Callable) -> Callable:
            wrapper = self.response(200, page_schema)(func)
            wrapper = self.arguments(args_schema, location="query")(wrapper)
            wrapper = self.doc(**{"x-paged": True})(wrapper)
            setattr(wrapper, _PAGED, True)
            return wrapper

        return decorator

    def add_url_rule(
        self, rule, endpoint=None, view_func=None, provide_automatic_options=None, **kw
    ):  # noqa: ANN001, E501
        missing = undeclared_methods(view_func)
        if missing:
            raise UndeclaredAccess(
                f"{self.name} {rule}: {', '.join(missing)} declare no access "
                "(blp.access(PUBLIC), a sign-in kind or a signature)"
            )
        return super().add_url_rule(rule, endpoint, view_func, provide_automatic_options, **kw)


def _methods(view: object) -> Iterable[tuple[str, object]]:
    view_class = getattr(view, "view_class", view)
    if isinstance(view_class, type) and issubclass(view_class, MethodView):
        for method in _VIEW_METHODS:
            if hasattr(view_class, method):
                yield method.upper(), getattr(view_class, method)
    else:
        yield "*", view


def access_of(view: object, method: str = "*") -> Access | None:
    """The access a registered view (function or MethodView) declares for ``method``."""
    for name, func in _methods(view):
        if method == "*" or name in ("*", method):
            return getattr(func, _ACCESS, None)
    return None


def undeclared_methods(view: object) -> list[str]:
    return [name for name, func in _methods(view) if getattr(func, _ACCESS, None) is None]


def is_paged(view: object, method: str) -> bool:
    return any(getattr(f, _PAGED, False) for name, f in _methods(view) if name in ("*", method))

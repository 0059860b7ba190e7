"""Driving the console with Flask's test client: a staff member signs in through the page,
and forms carry the CSRF token read from the page, as a browser would."""

from __future__ import annotations

import re

from tests.helpers import STAFF_PASSWORD

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    match = TOKEN.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def console_sign_in(client, username: str, password: str = STAFF_PASSWORD):  # noqa: ANN001, ANN201
    page = client.get("/console/login")
    token = csrf_of(page.get_data(as_text=True))
    return client.post(
        "/console/login",
        data={"username": username, "password": password, "csrf_token": token},
    )


def post_form(client, path: str, data: dict | None = None, page: str | None = None, **kwargs):  # noqa: ANN001, ANN201
    """POST a console form with the token from ``page`` (default: the page at ``path``'s parent)."""
    html = client.get(page or "/console/account").get_data(as_text=True)
    return client.post(path, data={**(data or {}), "csrf_token": csrf_of(html)}, **kwargs)

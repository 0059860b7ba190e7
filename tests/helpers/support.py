"""Shared set-up of the support tests: the demo articles and surveys, staff of two units."""

from __future__ import annotations

import pytest

from api.auth.models import ROLE_ADMIN, ROLE_OFFICER
from tests.helpers.common import make_staff, sign_in_staff

UNIT = "000.00.15.H12"  # the default unit of api/data/support_routing.json
COMMUNE_UNIT = "000.21.15.H12"  # HO_TICH questions go here


@pytest.fixture(name="seeded")
def seeded_fixture(app):
    from sandbox.demo_support import seed_demo_support

    with app.app_context():
        seed_demo_support()
    return app


@pytest.fixture(name="staff")
def staff_fixture(app, client):
    """Bearer headers of an admin, an officer of the default unit and one of a commune."""
    make_staff(app, "sp-admin", ROLE_ADMIN)
    make_staff(app, "sp-officer", ROLE_OFFICER, unit_code=UNIT)
    make_staff(app, "sp-commune", ROLE_OFFICER, unit_code=COMMUNE_UNIT)

    def headers(name: str) -> dict:
        return {"Authorization": f"Bearer {sign_in_staff(client, name)['access_token']}"}

    return {
        "admin": headers("sp-admin"),
        "officer": headers("sp-officer"),
        "commune": headers("sp-commune"),
    }

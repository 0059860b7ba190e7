"""The figures pages: the published report of the staff member's area with the public
report's pictures, and the drill-down to the dossiers counted (paged). An officer reads their
own unit, a commune admin the units of their commune, a national admin everything."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import update

from api.kernel.database import db
from api.quality import snapshots
from api.quality.models import DossierFact
from tests.helpers.common import make_staff
from tests.helpers.console import console_sign_in
from tests.helpers.quality import CUTOFF, NAME_A, UNIT_A, UNIT_B, _seed

COMMUNE_A, COMMUNE_B = 70, 73
THUC_PHAN = 1273  # in Cao Bằng: neither unit's dossiers are there


@pytest.fixture
def published(client, app):
    # Its own app context for the set-up only: the console's requests need their own.
    with app.app_context():
        _seed(client)
        db.session.execute(
            update(DossierFact)
            .where(DossierFact.unit_code == UNIT_A)
            .values(commune_code=COMMUNE_A)
        )
        db.session.execute(
            update(DossierFact)
            .where(DossierFact.unit_code == UNIT_B)
            .values(commune_code=COMMUNE_B)
        )
        db.session.commit()
        made = {}
        for kind, code in (("province", "all"), ("unit", UNIT_A), ("unit", UNIT_B)):
            made[code] = snapshots.create_snapshot(
                kind, code, "month", "2025-11", cutoff=CUTOFF, publish=True
            )
        db.session.commit()
        return {code: (s.id, json.loads(s.content)) for code, s in made.items()}


def _as(app, username: str, role: str, **scope):  # noqa: ANN001, ANN202
    make_staff(app, username, role, **scope)
    browser = app.test_client()
    assert console_sign_in(browser, username).status_code == 303
    return browser


def _measured(content: dict) -> dict:
    return next(f for f in content["figures"] if f["status"] == "measured" and f["numerator"])


def test_an_admin_reads_a_figure_and_its_dossiers(app, published):
    admin = _as(app, "admin.all", "admin")
    page = admin.get("/console/figures/").get_data(as_text=True)
    assert page.count("<svg") >= 3 and 'id="chart-total"' in page  # the report's pictures
    assert 'value="province:all"' in page and f'value="unit:{UNIT_A}"' in page
    assert "2025-11" in page and "<style" not in page and "<script" not in page.split("</head>")[1]
    snapshot_id, content = published["all"]
    figure = _measured(content)
    link = f"/console/figures/{snapshot_id}/{figure['code']}/numerator"
    assert link in page
    drill = admin.get(link).get_data(as_text=True)
    codes = set(re.findall(r"000\.2[12]\.15\.H12-251103-\d{4}", drill))
    assert len(codes) == figure["numerator"]
    assert f"{figure['numerator']} mục được tính" in drill
    # Paged: the page size is 50, more than the seed's; page 2 is empty and says so.
    assert "Không có mục nào" in admin.get(link + "?page=2").get_data(as_text=True)
    unit = admin.get(f"/console/figures/?scope=unit:{UNIT_B}&month=2025-11").get_data(as_text=True)
    assert NAME_A not in unit.split("<main")[1].split("</form>")[1]
    assert admin.get("/console/figures/?month=2025-13").status_code == 422
    assert admin.get(f"/console/figures/{snapshot_id}/XX/numerator").status_code == 404


def test_each_role_reads_only_its_area(app, published):
    officer = _as(app, "officer.qa", "officer", unit_code=NAME_A)
    page = officer.get("/console/figures/").get_data(as_text=True)
    assert f'value="unit:{UNIT_A}"' in page and f'value="unit:{UNIT_B}"' not in page
    assert 'value="province:all"' not in page and "<svg" in page
    assert officer.get(f"/console/figures/?scope=unit:{UNIT_B}").status_code == 403
    assert officer.get("/console/figures/?scope=province:all").status_code == 403
    b_id, b_content = published[UNIT_B]
    a_id, a_content = published[UNIT_A]
    assert (
        officer.get(f"/console/figures/{b_id}/{_measured(b_content)['code']}/numerator").status_code
        == 403
    )
    drill = officer.get(f"/console/figures/{a_id}/{_measured(a_content)['code']}/denominator")
    assert drill.status_code == 200 and "/console/inbox/threads/" in drill.get_data(as_text=True)
    commune = _as(app, "admin.b", "admin", commune_code=COMMUNE_B)
    page = commune.get("/console/figures/").get_data(as_text=True)
    assert f'value="unit:{UNIT_B}"' in page and f'value="unit:{UNIT_A}"' not in page
    assert 'value="province:all"' not in page
    assert (
        commune.get(f"/console/figures/{a_id}/{_measured(a_content)['code']}/numerator").status_code
        == 403
    )
    p_id, p_content = published["all"]
    assert (
        commune.get(f"/console/figures/{p_id}/{_measured(p_content)['code']}/numerator").status_code
        == 403
    )
    team = _as(app, "team.q", "community", commune_code=COMMUNE_A)
    assert team.get("/console/figures/").status_code == 403


def test_a_commune_admin_reads_the_units_registered_in_the_commune(app, published):
    from api.staff.models import Unit

    with app.app_context():
        db.session.add(Unit(code=NAME_A, name=NAME_A, commune_code=THUC_PHAN, province_code=4))
        db.session.commit()
    admin = _as(app, "admin.tp", "admin", commune_code=THUC_PHAN)
    page = admin.get("/console/figures/").get_data(as_text=True)
    assert f'value="unit:{UNIT_A}"' in page and f'value="unit:{UNIT_B}"' not in page

"""Assisted use, found in review: scoped dossier lists page right and show only the resident's
own dossiers; consent-code wording; plain words for citizens; input limits."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from api.auth.models import Account
from api.dossiers.models import Dossier, DossierFollow
from api.extensions import db
from tests.assist_world import CODE, OWNER_ID, build, start
from tests.dossier_factory import hoso, push

LIST = "/api/v1/assist/dossiers"


@pytest.fixture
def world(client, app):
    app.extensions["otp_sender"].sent.clear()
    return build(client, app)


def test_a_grant_for_some_dossiers_pages_over_those_only(client, app, world):
    push(client, [hoso("000.00.15.H12-251120-0002"), hoso("000.00.15.H12-251120-0003")])
    _, headers = start(client, app, world, actions=("follow",), dossiers=[CODE])
    page = client.get(LIST, query_string={"page_size": 1}, headers=headers).json
    assert [d["code"] for d in page["items"]] == [CODE] and page["total"] == 1


def test_the_helper_sees_only_the_residents_own_dossiers_not_ones_they_follow(
    client, app, world
):
    other = "000.00.15.H12-251120-0009"
    push(client, [hoso(other, SoGiayToChuHoSo="001099000111", ChuHoSo="Lê Văn Khác")])
    with app.app_context():
        dossier_id = db.session.scalar(select(Dossier.id).where(Dossier.code == other))
        resident = db.session.scalar(select(Account.id).where(Account.personal_id == OWNER_ID))
        db.session.add(DossierFollow(dossier_id=dossier_id, account_id=resident))
        db.session.commit()
    _, headers = start(client, app, world, actions=("follow",))
    page = client.get(LIST, headers=headers).json
    assert [d["code"] for d in page["items"]] == [CODE] and page["total"] == 1

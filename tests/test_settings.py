"""One configuration mechanism: every knob is a Settings field set by its environment variable."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from api.kernel.settings import Settings
from tests import conftest

ROOT = Path(__file__).resolve().parent.parent


def test_typed_knobs_come_from_their_environment_variables():
    settings = Settings.from_env(
        env={
            "SUPPORT_ANSWER_AT": "0.6",
            "RATING_EDIT_WINDOW_DAYS": "30",
            "UNIT_DIGEST_EMAILS": '{"000.00.15.H12": "motcua@example.gov.vn"}',
            "VNEID_ID_CLAIM_FALLBACKS": "cccd,sub",
        }
    )
    assert settings.support_answer_at == 0.6
    assert settings.rating_edit_window_days == 30
    assert settings.unit_digest_emails == {"000.00.15.H12": "motcua@example.gov.vn"}
    assert settings.vneid_id_claim_fallbacks == "cccd,sub"
    assert Settings().bot_state_ttl_seconds == 30 * 60  # the default when unset


@pytest.mark.parametrize("raw", ["{not json", '["a list"]'])
def test_a_json_setting_that_is_not_an_object_stops_the_start(raw):
    with pytest.raises(ValueError, match="UNIT_DIGEST_EMAILS must be a JSON object"):
        Settings.from_env(env={"UNIT_DIGEST_EMAILS": raw})


def test_no_second_configuration_mechanism():
    """Settings are read as fields; no lookup of loose names beside them (the old tunables)."""
    assert not (ROOT / "api" / "kernel" / "tunables.py").exists()
    offenders = [
        str(path.relative_to(ROOT))
        for package in ("api", "push", "bots", "workers")
        for path in (ROOT / package).rglob("*.py")
        if "tunable(" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []


def test_each_xdist_worker_has_its_own_database_and_redis(monkeypatch):
    monkeypatch.setattr(conftest, "XDIST_WORKER", "gw1")
    database, redis_url = conftest.for_this_worker(
        "postgresql://postgres@127.0.0.1:5432/dvc_test", "redis://127.0.0.1:6379/15"
    )
    assert database.endswith("/dvc_test_gw1") and redis_url == "redis://127.0.0.1:6379/14"
    monkeypatch.setattr(conftest, "XDIST_WORKER", "")
    assert conftest.for_this_worker("sqlite:///x.db", "") == ("sqlite:///x.db", "")


def test_settings_stay_immutable():
    with pytest.raises(dataclasses.FrozenInstanceError):
        Settings().support_margin = 0.5  # type: ignore[misc]

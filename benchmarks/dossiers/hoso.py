"""HoSo records for the push benchmark, made by the portal simulator's own factory.

Creates are fresh dossiers in every status (the factory's realistic mix). Updates are the same
dossiers one step further along (sandbox.portal_data.next_status), so every update is a real
status change: a timeline entry and a domain event each. Dossiers already in a final status
have no next step and get no update.
"""

from __future__ import annotations

import copy
import json
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sandbox import portal_data as data

BATCH = 500  # the endpoint's MAX_BATCH


@dataclass(frozen=True)
class Batch:
    body: bytes  # {"data": [...]} as sent; signed just before sending (5-minute window)
    records: int


@dataclass(frozen=True)
class PushSet:
    creates: list[dict]
    updates: list[dict | None]  # updates[i]: the status change of creates[i], if it can move


def batches(records: list[dict]) -> list[Batch]:
    """Bodies serialised ahead, so the client spends its time sending, not encoding."""
    out = []
    for start in range(0, len(records), BATCH):
        chunk = records[start : start + BATCH]
        body = json.dumps({"data": chunk}, ensure_ascii=False, separators=(",", ":"))
        out.append(Batch(body.encode(), len(chunk)))
    return out


def push_set(count: int, seed: int = 4, tag: str = "") -> PushSet:
    """``count`` new dossiers and a status change for each that can still move. ``tag``
    prefixes the codes, for a set that must not collide with another (same units and days)."""
    rng = random.Random(seed)
    catalog = data.load_catalog()
    field_names = {f["code"]: f["name"] for f in catalog.get("fields", [])}
    factory = data.DossierFactory(rng, catalog["procedures"], field_names)
    now = datetime.now(UTC)
    creates: list[dict] = []
    updates: list[dict | None] = []
    for index in range(count):
        dossier, _history = factory.build(index, now)
        if tag:
            dossier["MaHoSo"] = dossier["SoBienNhan"] = f"{tag}.{dossier['MaHoSo']}"
        # A deep copy: apply_status below appends to the record's lists.
        creates.append(copy.deepcopy(data.public_view(dossier)))
        following = data.next_status(int(dossier["TrangThaiHoSo"]), rng)
        if following is None:
            updates.append(None)
            continue
        data.apply_status(dossier, following, now + timedelta(minutes=1), timedelta(days=7), rng)
        updates.append(data.public_view(dossier))
    return PushSet(creates, updates)

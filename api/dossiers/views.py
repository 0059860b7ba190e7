"""What the dossier answers show beyond the row, as view objects: the row is never written on
for an answer (a stray attribute would look like data to the session and the next reader)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import marshmallow as ma

from api.dossiers.models import Dossier


@dataclass(frozen=True)
class DossierView:
    """One dossier as a caller sees it: its timeline, whether they follow it, which view
    (full, contact, reduced) and whether the unmasked identity number is theirs to see.
    Everything else is read through from the row."""

    dossier: Dossier
    timeline: list
    # Unset (left out of the answer) where no caller-specific view applies: the acting helper's.
    view: str | object = ma.missing
    following: bool = False
    show_identity: bool = False

    def __getattr__(self, name: str) -> object:
        return getattr(self.dossier, name)


@dataclass(frozen=True)
class Verification:
    """A genuine result, as the QR code's page shows it: no personal data."""

    code: str
    procedure_name: str
    status: str
    status_en: str
    result_documents: list[str]
    date: datetime | None
    genuine: bool = True

    @classmethod
    def of(cls, dossier: Dossier) -> Verification:
        return cls(
            code=dossier.code,
            procedure_name=dossier.procedure_name,
            status=dossier.status.label_vi,
            status_en=dossier.status.label_en,
            result_documents=[doc.get("name", "") for doc in dossier.result_documents],
            date=dossier.returned_at or dossier.finished_processing_at,
        )

"""The console's sections: each is one module with a blueprint and a ``SECTION``; the
navigation shows a person only the sections their role may use.

Adding a section (teams, articles, figures...): write ``api/console/pages/<name>.py`` with a
``blp`` (url prefix ``/console/<name>``), pages decorated with ``staff_page(SECTION)`` and a
``SECTION = Section(...)``; then add the module to ``PAGES`` in ``api/console/__init__.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app

from api.auth.guard import Principal


@dataclass(frozen=True)
class Section:
    key: str  # also the url segment: /console/<key>
    endpoint: str  # the section's first page, e.g. "console_inbox.index"
    label_vi: str
    label_en: str
    roles: tuple[str, ...]
    order: int = 100

    def label(self, lang: str) -> str:
        return self.label_en if lang == "en" else self.label_vi

    def allows(self, principal: Principal | None) -> bool:
        return principal is not None and principal.role in self.roles


def register(app: Flask, section: Section) -> None:
    known: list[Section] = app.extensions.setdefault("console_sections", [])
    if any(s.key == section.key for s in known):
        raise ValueError(f"console section {section.key!r} registered twice")
    known.append(section)
    known.sort(key=lambda s: (s.order, s.key))


def visible_to(principal: Principal | None) -> list[Section]:
    return [s for s in current_app.extensions["console_sections"] if s.allows(principal)]

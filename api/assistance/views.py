"""What the assistance answers show beyond the rows (people's names, the masked phone a code
went to, a team's members), as view objects: the rows are never written on for an answer."""

from __future__ import annotations

from dataclasses import dataclass, field

from api.assistance.models import Grant, GrantEvent, Team, UsageRecord


@dataclass(frozen=True)
class NamedGrant:
    """A grant with both people's names; the rest is read through from the row."""

    grant: Grant
    helper_name: str = ""
    resident_name: str = ""
    code_sent_to: str | None = None

    def __getattr__(self, name: str) -> object:
        return getattr(self.grant, name)


@dataclass(frozen=True)
class GrantEventView:
    """One change of a grant and who made it ('' for the system)."""

    event: GrantEvent
    by: str = ""

    def __getattr__(self, name: str) -> object:
        return getattr(self.event, name)


@dataclass(frozen=True)
class UsageView:
    """One read or write made for a resident: who made it and what the help was for."""

    entry: UsageRecord
    who: str = ""
    purpose: str = ""

    def __getattr__(self, name: str) -> object:
        return getattr(self.entry, name)


@dataclass(frozen=True)
class TeamView:
    """A team and its members (staff id, name, status)."""

    team: Team
    member_list: list[dict] = field(default_factory=list)

    def __getattr__(self, name: str) -> object:
        return getattr(self.team, name)

"""The monitoring system's tracking endpoint (EMC) on 127.0.0.1, with scripted failures."""

from __future__ import annotations

from .http_fake import FakeService, Recorded, Reply

PATH = "/TrackingMCDT"


class FakeEmc(FakeService):
    def __init__(self) -> None:
        super().__init__()
        self.events: list[dict] = []
        self.server.route("POST", PATH, self._track)

    @property
    def tracking_url(self) -> str:
        return self.url + PATH

    def fail(self, *replies: Reply) -> None:
        """The next requests get these answers, in order, before behaving again."""
        self.server.script("POST", PATH, *replies)

    def _track(self, request: Recorded, _m: object) -> Reply:
        self.events.append(request.json())
        return Reply(200, json={"success": True})

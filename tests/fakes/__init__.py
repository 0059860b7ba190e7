"""Local fakes of the external systems, served on 127.0.0.1 with real HTTP/SMTP."""

from .fcm_api import FakeFcmApi
from .http_fake import FakeHttpServer, FakeService, Recorded, Reply
from .sms_gateway import FakeSmsGateway
from .smtp_server import FakeSmtpServer
from .telegram_api import FakeTelegramApi
from .zalo_api import FakeZaloApi

__all__ = [
    "FakeFcmApi",
    "FakeHttpServer",
    "FakeService",
    "FakeSmsGateway",
    "FakeSmtpServer",
    "FakeTelegramApi",
    "FakeZaloApi",
    "Recorded",
    "Reply",
]

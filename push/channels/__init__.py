"""Channel adapters: one module per external system, each answering with a ``SendResult``.

``sms``, ``email``, ``telegram``, ``zalo`` and ``fcm`` each offer ``from_settings(settings)``
returning None when the channel is not configured (the caller records "not configured").
"""

from .base import Outcome, SendResult

__all__ = ["Outcome", "SendResult"]

"""The channels: one module per external system, each with its provider client (answering
with a ``SendResult``) and a class answering ``protocol.Channel``; ``registry`` holds one of
each and builds their clients from settings (None when not configured: the attempt records
"not_configured" and the next channel is tried). This package imports only the kernel.
"""

from .base import Outcome, SendResult

__all__ = ["Outcome", "SendResult"]

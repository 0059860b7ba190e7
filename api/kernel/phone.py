"""Vietnamese mobile numbers: one normal form (84xxxxxxxxx) everywhere we store or send."""

from __future__ import annotations

import re

from api.kernel.digits import ascii_digits, is_digits

# Mobile prefixes in use after the 2018 renumbering (03x, 05x, 07x, 08x, 09x).
_MOBILE = re.compile(r"^84(3[2-9]|5[25689]|7[06-9]|8[1-9]|9[0-46-9])[0-9]{7}$")


def normalise_phone(raw: str) -> str | None:
    """ "0912 345 678", "+84912345678", "84912345678" → "84912345678"; None if not a VN mobile."""
    digits = re.sub(r"[\s.\-()]", "", ascii_digits(raw or ""))
    if digits.startswith("+"):
        digits = digits[1:]
    if not is_digits(digits):
        return None
    if digits.startswith("0") and len(digits) == 10:
        digits = "84" + digits[1:]
    return digits if _MOBILE.match(digits) else None


def last_digits(phone: str, n: int = 4) -> str:
    return phone[-n:]

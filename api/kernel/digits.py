"""What a digit is: ASCII 0-9, everywhere (phones, codes, the 4-digit second factor).

``str.isdigit`` says yes to "²" (which ``int`` refuses) and ``\\d`` to Arabic-Indic, Devanagari
or full-width digits, which compared with ASCII ones made an existing dossier answer 500 and
"091234567８" a new phone. Decimal digits of any script are read as the ASCII digit they
mean; anything else that looks like a digit ("²", "①") is not one.
"""

from __future__ import annotations

import unicodedata


class _DecimalTable(dict):
    """``str.translate`` table: a decimal digit of any script → its ASCII digit."""

    def __missing__(self, code: int) -> int | None:
        char = chr(code)
        value = ord("0") + unicodedata.decimal(char) if unicodedata.category(char) == "Nd" else code
        if code < 0x20000:  # odd input cannot grow the table without bound
            self[code] = value
        return value


_TABLE = _DecimalTable()


def ascii_digits(text: str) -> str:
    """ "٠٩١٢" → "0912"; every other character unchanged."""
    return text if text.isascii() else text.translate(_TABLE)


def only_digits(text: str) -> str:
    """The ASCII digits of ``text`` (decimal digits of any script counted), nothing else."""
    return "".join(ch for ch in ascii_digits(text) if "0" <= ch <= "9")


def is_digits(text: object) -> bool:
    """True for a non-empty string of ASCII 0-9 only (what ``int`` reads as written)."""
    return isinstance(text, str) and text.isascii() and text.isdigit()

"""What a message may contain: cleaned plain text, and photos or PDFs recognised by their bytes."""

from __future__ import annotations

import re
import unicodedata

MAX_TEXT = 2000
PREVIEW = 100

# Kept: line breaks and tabs. Dropped: other control characters and invisible format
# characters (zero-width, bidi overrides that can disguise text or file names).
_KEEP = {"\n", "\t"}
_BLANK_LINES = re.compile(r"\n{3,}")
_SPACES = re.compile(r"[ \t]+\n")


def clean_text(text: str) -> str:
    """Plain text as the citizen meant it: NFC, no hidden characters, tidy line breaks.

    Text is stored as plain text and escaped by whoever renders it (app, bot adapters, email),
    so markup is kept literally rather than guessed at."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = "".join(
        ch for ch in text if ch in _KEEP or unicodedata.category(ch) not in ("Cc", "Cf", "Cs")
    )
    text = _SPACES.sub("\n", text)
    return _BLANK_LINES.sub("\n\n", text).strip()


def preview(text: str, attachments: int = 0) -> str:
    one_line = " ".join(text.split())
    if len(one_line) > PREVIEW:
        one_line = one_line[: PREVIEW - 1].rstrip() + "…"
    if not one_line and attachments:
        return f"[{attachments} tệp đính kèm]"
    return one_line


# (magic bytes at offset 0, content type, extension for downloads)
_SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"%PDF-", "application/pdf", "pdf"),
)
# ISO base media (HEIF photos from phones): "ftyp" at offset 4, then the brand.
_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"mif1", b"msf1"}

EXTENSIONS = {content_type: ext for _, content_type, ext in _SIGNATURES} | {
    "image/webp": "webp",
    "image/heic": "heic",
}


def sniff(data: bytes) -> str | None:
    """The content type the bytes really are, among the accepted ones; None otherwise.

    The name and the declared type are ignored: a program renamed ``.jpg`` is still refused."""
    for magic, content_type, _ in _SIGNATURES:
        if data.startswith(magic):
            return content_type
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if len(data) >= 12 and data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        return "image/heic"
    return None


_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|]+')


def safe_filename(name: str | None, content_type: str) -> str:
    """A display name without paths or hidden characters, ending in the sniffed type's
    extension (the stored name never decides how the file is served)."""
    base = clean_text((name or "").replace("\\", "/").rsplit("/", 1)[-1]).replace("\n", " ")
    base = _UNSAFE_NAME.sub("_", base).strip(" .")
    stem = base.rsplit(".", 1)[0] if "." in base else base
    return f"{(stem or 'tep')[:150]}.{EXTENSIONS[content_type]}"

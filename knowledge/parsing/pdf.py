"""PDF text extraction with pypdf, one string per page, without page-number lines."""

from __future__ import annotations

import logging
import re
from io import BytesIO

from pypdf import PdfReader

# pypdf logs every defect it works around; unless the application configures logging, keep them off stderr.
logging.getLogger("pypdf").addHandler(logging.NullHandler())

# A line that is only a page number: "7", "- 7 -", "Page 7", "Page 7 of 12", "7/12".
_PAGE_NUMBER = re.compile(
    r"^\s*(?:[-–]\s*)?(?:page\s+)?\d+(?:\s*(?:of|/)\s*\d+)?(?:\s*[-–])?\s*$", re.IGNORECASE
)


class EncryptedPdfError(ValueError):
    """The PDF is password-protected and cannot be opened without the password."""


def extract_pages(data: bytes) -> list[str]:
    """Return the text of each page of the PDF in `data` (empty strings for pages without text).

    Raises EncryptedPdfError for a password-protected PDF, and whatever pypdf raises for a broken one.
    """
    reader = PdfReader(BytesIO(data), strict=False)
    if reader.is_encrypted:
        try:
            opened = reader.decrypt("")
        except Exception as exc:  # pypdf raises several types here (missing crypto backend, bad keys)
            raise EncryptedPdfError(f"the PDF is encrypted and could not be opened: {exc}") from exc
        if not opened:
            raise EncryptedPdfError("the PDF is password-protected")
    return [_drop_page_numbers(page.extract_text() or "") for page in reader.pages]


def _drop_page_numbers(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not _PAGE_NUMBER.match(line))

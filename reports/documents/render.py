"""Fill a Word template with docxtpl: the office's own copy first, else the shipped one."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

SHIPPED = Path(__file__).resolve().parent.parent / "templates"
DEFAULT_ISSUER = "督查督办办公室"


def template_path(name: str, templates_dir: Path | None = None) -> Path:
    """Return the template to use: `templates_dir/name` if the office put one there."""
    if templates_dir is not None:
        override = templates_dir / name
        if override.is_file():
            return override
    return SHIPPED / name


def render_docx(name: str, context: dict[str, Any], templates_dir: Path | None = None) -> bytes:
    """Return the filled document as .docx bytes."""
    from docxtpl import DocxTemplate  # docx and lxml: loaded only when a document is made

    template = DocxTemplate(str(template_path(name, templates_dir)))
    template.render(context, autoescape=True)
    buffer = io.BytesIO()
    template.save(buffer)
    return buffer.getvalue()

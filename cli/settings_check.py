"""Settings that are not in their type's plain form, checked by pydantic: it converts what it
accepts (` 8080`, `1e3`) and words what it refuses, as `duban` always has."""

from __future__ import annotations

import typing
from dataclasses import fields
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, create_model

from cli.settings import BadSettings, Secret, Settings


def _model() -> type[BaseModel]:
    """Return a pydantic model of `Settings`, by the settings' environment names."""
    hints = typing.get_type_hints(Settings, {"Secret": Secret, "Path": Path})
    spec: dict[str, Any] = {}
    for f in fields(Settings):
        kind = hints[f.name]
        if kind == Secret | None:
            kind = SecretStr | None
        bounds = f.metadata["check"]
        spec[f.name] = (kind, Field(default=f.default, alias=f.metadata["env"], **bounds))
    return create_model(
        "Settings", __config__=ConfigDict(extra="ignore", validate_default=True), **spec
    )


def checked(raw: dict[str, str]) -> Settings:
    """Return the settings pydantic makes of `raw` (by environment names), or `BadSettings`
    with one line per refused setting."""
    try:
        model = _model().model_validate(raw)
    except ValidationError as exc:
        lines = [
            f"setting {'.'.join(str(part) for part in error['loc'])}: {error['msg']}"
            for error in exc.errors()
        ]
        raise BadSettings(lines) from exc
    values = {f.name: getattr(model, f.name) for f in fields(Settings)}
    for name, value in values.items():
        if isinstance(value, SecretStr):
            values[name] = Secret(value.get_secret_value())
    return Settings(**values)

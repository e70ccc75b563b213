"""Semantic buttons: one compact text form, round-tripped strictly; strangers' data refused."""

from __future__ import annotations

import pytest

from core.buttons import Press


@pytest.mark.parametrize(
    "press",
    [
        Press("answer", 345, "in_progress"),
        Press("answer", 2, "extension"),
        Press("decide", 7, "yes"),
        Press("decide", 7, "no"),
        Press("pick", 12, "item", 99),
    ],
)
def test_a_press_round_trips(press: Press) -> None:
    assert Press.decode(press.encode()) == press


@pytest.mark.parametrize(
    "data", ["a:1:2:z", "a:1", "x:1:Maybe", "q:1:yes", "a:-1:done", "a:1:done:", "", None, "你好"]
)
def test_data_that_is_not_ours_is_refused(data: str | None) -> None:
    assert Press.decode(data) is None


def test_button_data_fits_telegrams_64_bytes() -> None:
    assert len(Press("pick", 10**17, "in_progress", 10**17).encode().encode()) <= 64

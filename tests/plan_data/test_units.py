"""Unit names as people type them, and the "every unit" wording of plans."""

from __future__ import annotations

import pytest

from plan_data.units import UnitResolver, UnknownUnit, core, is_all_units

SEED_UNITS = ["社救科", "社区科", "社会事务科", "救助管理站", "殡葬科", "婚姻科", "综合办"]


@pytest.mark.parametrize(
    ("typed", "unit"),
    [
        ("社区科", "社区科"),
        ("社区", "社区科"),
        ("社会救助科", "社救科"),
        ("社会救助", "社救科"),
        ("社救", "社救科"),
        ("社会事务", "社会事务科"),
        ("救助管理站", "救助管理站"),
        ("救助站", "救助管理站"),
        ("救助管理", "救助管理站"),
        ("殡葬", "殡葬科"),
        ("婚姻登记处", "婚姻科"),
        ("综合办公室", "综合办"),
        ("办公室", "综合办"),
        (" 社区科 ", "社区科"),
        ("社区科。", "社区科"),
    ],
)
def test_typed_names_resolve_to_the_plan_unit(typed: str, unit: str) -> None:
    assert UnitResolver(SEED_UNITS).resolve(typed) == unit


def test_a_miss_suggests_the_closest_unit() -> None:
    with pytest.raises(UnknownUnit) as caught:
        UnitResolver(SEED_UNITS).resolve("社保科")
    assert caught.value.name == "社保科"
    assert caught.value.suggestion == "社救科"
    assert str(caught.value) == "unknown unit '社保科'; did you mean 社救科?"


def test_a_name_far_from_every_unit_has_no_suggestion() -> None:
    with pytest.raises(UnknownUnit) as caught:
        UnitResolver(SEED_UNITS).resolve("财务处")
    assert caught.value.suggestion is None
    assert str(caught.value) == "unknown unit '财务处'"


def test_an_ambiguous_name_is_refused_with_a_suggestion() -> None:
    with pytest.raises(UnknownUnit) as caught:
        UnitResolver(SEED_UNITS).resolve("社")
    assert caught.value.suggestion in SEED_UNITS
    assert "ambiguous" in str(caught.value)


def test_match_returns_none_on_a_miss() -> None:
    resolver = UnitResolver(SEED_UNITS)
    assert resolver.match("社区") == "社区科"
    assert resolver.match("财务处") is None
    assert resolver.match("") is None


@pytest.mark.parametrize(
    ("text", "collective"),
    [
        ("各科室、单位", True),
        ("各科室", True),
        ("全局各科室", True),
        ("各单位", True),
        ("各科室单位", True),
        ("局属各单位", True),
        ("各科室、各单位", True),
        ("全体科室", True),
        ("各部门等", True),
        ("各相关单位", True),
        ("有关科室", True),
        ("各有关部门", True),
        ("社区科", False),
        ("单位", False),
        ("各街道", False),
        ("各县（市、区）", False),
    ],
)
def test_every_unit_wording_is_recognised(text: str, collective: bool) -> None:
    assert is_all_units(text) is collective


def test_the_longest_unit_inside_a_long_name_wins() -> None:
    assert UnitResolver(SEED_UNITS).resolve("社会救助管理站") == "救助管理站"


@pytest.mark.parametrize("unit", SEED_UNITS)
def test_every_unit_resolves_by_its_own_name_and_without_its_kind_word(unit: str) -> None:
    resolver = UnitResolver(SEED_UNITS)
    assert resolver.resolve(unit) == unit
    assert resolver.resolve(core(unit)) == unit

"""Unit names: match what people type (社区, 社会救助科) to the plan's units."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Sequence

from plan_data.errors import DubanError

# A trailing kind-of-unit word; people type names with or without it.
_SUFFIX = re.compile(r"(?:科室|处室|办公室|科|站|办|室|处|所|中心|股)$")

# Long forms that do not contain the short name as a subsequence.
ALIASES: dict[str, str] = {
    "办公室": "综合办",
    "局办公室": "综合办",
    "救助站": "救助管理站",
}

# Collective wording that stands for every unit of the plan.
_COLLECTIVE_PART = r"(?:科室|单位|部门|处室|站所|直属单位|科站|科|站|所)"
# 各相关单位 and 有关科室 count too: the plan does not say which, so every unit is asked.
_COLLECTIVE = re.compile(
    rf"^(?:全局|全体|局机关|局属|机关|局)?(?:各|所有|全体)?(?:相关|有关)?{_COLLECTIVE_PART}"
    rf"(?:[、，,和及与/]?(?:各|所有|全体)?(?:相关|有关)?{_COLLECTIVE_PART})*$"
)
_COLLECTIVE_WORD = re.compile(r"各|所有|全体|全局|相关|有关")


class UnknownUnit(DubanError):
    """A unit name that matches no unit of the plan."""

    def __init__(self, name: str, suggestion: str | None, *, ambiguous: bool = False) -> None:
        self.name = name
        self.suggestion = suggestion
        what = "ambiguous" if ambiguous else "unknown"
        hint = f"; did you mean {suggestion}?" if suggestion else ""
        super().__init__(f"{what} unit '{name}'{hint}")


def normalize(text: str) -> str:
    """Return a unit name with width folded and spaces and brackets' padding removed."""
    folded = unicodedata.normalize("NFKC", text)
    return re.sub(r"\s+", "", folded).strip("。.；;，,、:：")


def core(name: str) -> str:
    """Return a unit name without its trailing kind word (社区科 → 社区)."""
    stripped = _SUFFIX.sub("", name)
    return stripped or name


def is_all_units(text: str) -> bool:
    """Return whether the text means every unit (各科室、单位, 全局各科室, 各单位 …)."""
    folded = normalize(text).removesuffix("等")
    return bool(_COLLECTIVE.match(folded)) and bool(_COLLECTIVE_WORD.search(folded))


def _is_subsequence(short: str, long: str) -> bool:
    chars = iter(long)
    return all(ch in chars for ch in short)


class UnitResolver:
    """Resolve typed unit names leniently against a fixed list of units."""

    def __init__(self, units: Sequence[str]) -> None:
        self.units: tuple[str, ...] = tuple(units)
        self._by_core = {core(normalize(u)): u for u in self.units}

    def resolve(self, text: str) -> str:
        """Return the unit the text names, or raise UnknownUnit with a suggestion."""
        typed = normalize(text)
        if not typed:
            raise UnknownUnit(text, None)
        found = self._candidates(typed)
        if len(found) == 1:
            return found[0]
        if found:
            raise UnknownUnit(text, found[0], ambiguous=True)
        raise UnknownUnit(text, self.suggest(typed))

    def match(self, text: str) -> str | None:
        """Return the unit the text names, or None."""
        try:
            return self.resolve(text)
        except UnknownUnit:
            return None

    def suggest(self, text: str) -> str | None:
        """Return the unit closest to the text, if any is reasonably close."""
        typed = normalize(text)
        best: tuple[float, str] | None = None
        for unit in self.units:
            ratio = max(
                difflib.SequenceMatcher(None, typed, unit).ratio(),
                difflib.SequenceMatcher(None, core(typed), core(unit)).ratio(),
            )
            if ratio >= 0.5 and (best is None or ratio > best[0]):
                best = (ratio, unit)
        return best[1] if best else None

    def _candidates(self, typed: str) -> list[str]:
        """Return the units the text may name, trying strict rules before lenient ones."""
        if typed in self.units:
            return [typed]
        alias = ALIASES.get(typed)
        if alias in self.units:
            return [alias]
        typed_core = core(typed)
        rules: list[Callable[[str], bool]] = [
            lambda c: c == typed_core,
            lambda c: c.startswith(typed_core),
            lambda c: len(c) >= 2 and _is_subsequence(c, typed_core),
            lambda c: len(typed_core) >= 2 and _is_subsequence(typed_core, c),
        ]
        for index, rule in enumerate(rules):
            found = [(len(c), unit) for c, unit in self._by_core.items() if rule(c)]
            if found and index == 2:
                # 社会救助管理站 holds both 社救 and 救助管理: the longer unit inside wins.
                longest = max(size for size, _ in found)
                return [unit for size, unit in found if size == longest]
            if found:
                return [unit for _, unit in found]
        return []

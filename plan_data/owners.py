"""Labels (责任科室：…, 完成时限：…) and the unit lists that follow them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from plan_data.model import OwnerRole

# Label words by what they introduce; longer words first so that the regex prefers them.
OWNER_LABELS: dict[str, OwnerRole] = {
    "牵头单位": "lead",
    "牵头科室": "lead",
    "牵头部门": "lead",
    "牵头处室": "lead",
    "主要责任单位": "lead",
    "协同配合单位": "cooperating",
    "协同单位": "cooperating",
    "配合单位": "cooperating",
    "配合科室": "cooperating",
    "配合部门": "cooperating",
    "协办单位": "cooperating",
    "责任科室": "owner",
    "责任单位": "owner",
    "责任部门": "owner",
    "责任处室": "owner",
    "实施部门": "owner",
    "实施单位": "owner",
    "承办单位": "owner",
    "主责单位": "owner",
    "负责单位": "owner",
}
DEADLINE_LABELS = (
    "完成时限",
    "完成时间",
    "完成期限",
    "时限要求",
    "时间要求",
    "时间节点",
    "进度安排",
)
_ALL_LABELS = sorted([*OWNER_LABELS, *DEADLINE_LABELS], key=len, reverse=True)
LABEL = re.compile(r"(" + "|".join(_ALL_LABELS) + r")\s*[:：]\s*")
# A label starts a label segment at the start of a line or after a sentence break.
LABEL_START = re.compile(r"(?:^|(?<=[。．.；;，,\s]))(?:" + "|".join(_ALL_LABELS) + r")\s*[:：]")

_OPEN = "（(【[〔"
_CLOSE = "）)】]〕"
_SEPARATORS = "、，,；;/／"
_SPACES = " \u3000\t\xa0"
# 和/及 and spaces part unit names only after a unit-like ending: 住房和城乡建设委 and a
# stray space in 市场 监管局 stay whole.
_UNIT_ENDING = "科站办室局委处所心队院会部门组位街镇区"
_TRAILING_ETC = re.compile(r"等(?:相关|有关)?(?:部门|单位|科室|处室)?$")
# 社救科（牵头）, or written out: 社救科牵头，社区科配合.
_ROLE_NOTE = re.compile(r"[（(]?(牵头|配合|协办|负责)[）)]?$")


@dataclass(frozen=True, slots=True)
class Label:
    """One `label：value` segment found in the plan."""

    word: str
    value: str

    @property
    def is_deadline(self) -> bool:
        """Return whether this label introduces a deadline."""
        return self.word in DEADLINE_LABELS

    @property
    def role(self) -> OwnerRole:
        """Return the owner role this label gives its units."""
        return OWNER_LABELS.get(self.word, "owner")


def split_labels(text: str) -> list[Label]:
    """Split `责任科室：A  完成时限：B` (or `牵头单位：A；责任单位：C`) into labels."""
    found = list(LABEL.finditer(text))
    labels = []
    for index, match in enumerate(found):
        end = found[index + 1].start() if index + 1 < len(found) else len(text)
        value = text[match.end() : end].strip().strip("；;，,。.").strip()
        labels.append(Label(match.group(1), value))
    return labels


def find_bracket_labels(text: str) -> tuple[str, list[Label]]:
    """Remove bracketed label groups such as `（牵头单位：A、B；责任单位：C）` from a text."""
    labels: list[Label] = []
    out = []
    index = 0
    while index < len(text):
        char = text[index]
        if char in _OPEN and LABEL.match(text, index + 1):
            end = _matching_close(text, index)
            if end is not None:
                labels.extend(split_labels(text[index + 1 : end]))
                index = end + 1
                continue
        out.append(char)
        index += 1
    return "".join(out).strip(), labels


def _matching_close(text: str, start: int) -> int | None:
    depth = 0
    for index in range(start, len(text)):
        if text[index] in _OPEN:
            depth += 1
        elif text[index] in _CLOSE:
            depth -= 1
            if depth == 0:
                return index
    return None


@dataclass(frozen=True, slots=True)
class UnitName:
    """One unit of a unit list: its name, a role written beside it, a scope note."""

    name: str
    role: OwnerRole | None = None
    note: str = ""


# A bracket of kinds of place (`各县（市、区）`, `各街道（乡镇）`) is part of the name.
_KIND = r"[^\W\d_]?[市区县旗镇乡街道村居局委办]"
_KINDS_BRACKET = re.compile(rf"[（(]{_KIND}(?:[、，,/]{_KIND})*[）)]$")
_TRAILING_BRACKET = re.compile(r"[（(](?P<note>[^（()）]*)[）)]$")


def split_units(text: str) -> list[tuple[str, OwnerRole | None]]:
    """Split a unit list on 、，,；; spaces 和 及; brackets such as 各县（市、区） stay whole."""
    return [(unit.name, unit.role) for unit in split_unit_names(text)]


def split_unit_names(text: str) -> list[UnitName]:
    """Split a unit list as split_units does, taking a trailing scope note off each name.

    `各街道（涉农街道）` is 各街道 with the note 涉农街道; `各县（市、区）` stays whole, and
    `社救科（牵头）` is 社救科 as lead.
    """
    items: list[str] = []
    current: list[str] = []
    depth = 0
    for index, char in enumerate(text):
        if char in _OPEN:
            depth += 1
        elif char in _CLOSE:
            depth = max(0, depth - 1)
        after_unit = bool(current) and current[-1] in _UNIT_ENDING and index + 1 < len(text)
        breaks = depth == 0 and (
            char in _SEPARATORS or (char in "和及" + _SPACES and after_unit)
        )
        if char in _SPACES and not breaks:
            continue
        if breaks:
            items.append("".join(current))
            current = []
        else:
            current.append(char)
    items.append("".join(current))
    result: list[UnitName] = []
    for raw in items:
        name = raw.strip().strip("。.：:")
        name = _TRAILING_ETC.sub("", name).strip()
        role: OwnerRole | None = None
        found = _ROLE_NOTE.search(name)
        if found and found.start() > 0:
            role = "lead" if found.group(1) in ("牵头", "负责") else "cooperating"
            name = name[: found.start()].strip()
        note = ""
        scope = _TRAILING_BRACKET.search(name)
        if scope and scope.start() > 0 and not _KINDS_BRACKET.search(name):
            note = scope["note"].strip()
            name = _TRAILING_ETC.sub("", name[: scope.start()]).strip()
        if name:
            result.append(UnitName(name, role, note))
    return result

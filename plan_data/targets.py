"""Quantitative targets in a task's text (`新建老年日照中心4个`), and progress against them.

Only numbers written in digits count as targets: plans write their targets so, while Chinese
numerals there are slogans and grades (`两个维护`, `一级老人家食堂`). A number counts with its
measure (`5家`, `2000人次`), a share with its percent (`不低于90%`), and `全覆盖` or `100%` is a
whole. Rates (`每户500元`), ordinals (`第3个`), spans (`3个月`) and dates are not targets.
"""

from __future__ import annotations

import re
import unicodedata

from plan_data.model import Progress, Target, TargetKind

# Measure words as a regex alternation, longest first so that 人次 wins over 人.
_MEASURES = (
    "平方米|人次|户次|场次|课时|学时|公里|千米|万元|亿元|家|个|张|所|处|座|户|件|项|名|人|次"
    "|场|期|批|支|套|台|辆|间|条|份|篇|本|部|册|元|米|吨|床|栋|幢|株|棵|盏|块|段|类|种|门|班"
    "|对"
)
_MONEY = ("万元", "亿元", "元")
_NUMBER = r"\d+(?:\.\d+)?"
_COUNT = re.compile(
    rf"(?<![\d.第每/])(?P<num>{_NUMBER})(?P<approx>余|多)?(?P<wan>万)?"
    rf"(?P<unit>{_MEASURES})"
    r"(?!月|工作日|小时|季度|星期|百分点|周岁|岁|/|以内)"
)
_SHARE = re.compile(rf"(?<![\d.])(?P<num>{_NUMBER})%(?:及以上|以上|左右)?(?:覆盖)?")
_WHOLE = re.compile(r"全覆盖")
_AFTER = re.compile(r"(?:及以上|以上|以下|左右|余)")
_CLAUSE = re.compile(r"[，,。；;：:！？!?\n]")

# Words between the counted thing and the number that only compare: 床位不少于150张.
_COMPARE = re.compile(
    r"(?:不少于|不低于|不超过|至少|达到|达|超过|突破|约|共计|共|累计|总计|总数|分别|为|至|到|"
    r"保持在|稳定在|控制在|提高|提升|增长|增加|增至|新增|以上)+$"
)
# Verbs before the counted thing: what follows the verb is what the number counts.
_VERBS = (
    "新建|建设|建成|改建|扩建|新增|增加|增设|新设|打造|培育|培训|培养|开展|组织|举办|召开|完成"
    "|实现|发放|招募|引进|改造|提供|救助|走访|探访|设立|建立|创建|筹建|推进|配备|配置|安装"
    "|签约|认定|评选|选树|扶持|孵化|吸纳|慰问|帮扶|资助|覆盖|惠及|落实|安置|接收|救治|整治"
    "|排查|检查|审计|评估|抽查|登记|办理|受理|收养|保障|纳入|提升|扩大|修缮|维修|更新|购买"
    "|采购|投入|发展|选拔|表彰|命名|确保|力争|推动|做到|保持|提高|达到|新办"
)
_VERB = re.compile(_VERBS)
# Verbs that lead a share or a whole (`确保低保审批准确率不低于90%`); 覆盖率 keeps its 覆盖.
_SHARE_VERB = re.compile(r"确保|实现|力争|推进|推动|做到|保持|提高|提升|达到")
_SHARE_TAIL = re.compile(rf"(?:{_SHARE_VERB.pattern})+$")
# Verbs that only carry another (`组织开展培训2000人次` counts 培训).
_LIGHT = re.compile(r"(?:开展|组织|进行|实施|完成|举办)+")
# These are matched at a position (pattern.match(text, pos)), where `^` would never match.
# A grade in words before the counted thing is not part of what is counted: 一级老人家食堂.
_GRADE = re.compile(r"[一二三四五]级")
_LEADING = re.compile(r"(?:在|对|为|向|将|把|和|及|与|并|的)+")
_NOUN_END = re.compile(r"并|且|用于|以|的")
_MAX_WHAT = 16

Span = tuple[int, int]


def _normalized(text: str) -> tuple[str, list[int]]:
    """Return text in NFKC, and for each character the index it came from."""
    chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        for folded in unicodedata.normalize("NFKC", char):
            chars.append(folded)
            origin.append(index)
    return "".join(chars), origin


def _number(text: str) -> float:
    value = float(text)
    return int(value) if value.is_integer() else value


def _trim(prefix: str, start: int, end: int) -> Span:
    """Return the span of what is counted, without prepositions, light verbs or a grade."""
    for pattern in (_LEADING, _LIGHT, _GRADE):
        found = pattern.match(prefix, start, end)
        if found and found.end() < end:
            start = found.end()
    return start, end


def _count_what(prefix: str) -> tuple[Span, int]:
    """Return the span of what a number counts, from the words before it, and the text start.

    The first verb of the clause leads: what follows the leading words (`在…等街道建设`) is
    the counted thing. A number right after its verb counts the verb (`培训2000人次`).
    """
    end = len(_COMPARE.sub("", prefix))
    verbs = [v for v in _VERB.finditer(prefix, 0, end) if v.end() <= end]
    if not verbs:
        start = max(0, end - _MAX_WHAT)
        return _trim(prefix, start, end), start
    verb = verbs[0]
    if end - verb.end() > _MAX_WHAT:
        verb = verbs[-1]
    if verb.end() == end:
        return (verb.start(), verb.end()), verb.start()
    return _trim(prefix, verb.end(), end), verb.start()


def _share_what(prefix: str) -> tuple[Span, int]:
    """Return the span of what a share or a whole is of (`低保审批准确率`), and the text start."""
    end = len(_SHARE_TAIL.sub("", _COMPARE.sub("", prefix)))
    verbs = [v for v in _SHARE_VERB.finditer(prefix, 0, end) if v.end() < end]
    if not verbs:
        start = max(0, end - _MAX_WHAT)
        return _trim(prefix, start, end), start
    return _trim(prefix, verbs[-1].end(), end), verbs[-1].start()


def _count_after(rest: str) -> int:
    """Return how long the counted thing written after the number is (`5家养老服务驿站`)."""
    if not rest or _AFTER.match(rest):
        return 0
    end = _NOUN_END.search(rest)
    return min(end.start() if end else len(rest), _MAX_WHAT)


def read_targets(text: str) -> tuple[Target, ...]:
    """Return every quantitative target written in a task's text, in order."""
    norm, origin = _normalized(text)

    def written(start: int, end: int) -> str:
        return text[origin[start]: origin[end - 1] + 1] if end > start else ""

    found: list[tuple[int, Target]] = []
    offset = 0
    previous: Span = (0, 0)
    for clause in _CLAUSE.split(norm):
        for (start, end), (what_start, what_end), kind, value, unit in _clause_targets(clause):
            if what_start == what_end:
                what = written(*previous)
            else:
                what = written(offset + what_start, offset + what_end)
            target = Target(value, unit, what, written(offset + start, offset + end), kind)
            found.append((offset + start, target))
        if clause:
            (what_start, what_end), _ = _count_what(clause)
            previous = (offset + what_start, offset + what_end)
        offset += len(clause) + 1
    return tuple(target for _, target in sorted(found, key=lambda item: item[0]))


_Found = tuple[Span, Span, TargetKind, float, str]


def _clause_targets(clause: str) -> list[_Found]:
    """Return (text span, what span, kind, value, unit) for each target in one clause."""
    found: list[_Found] = []
    for m in _COUNT.finditer(clause):
        if "每" in clause[max(0, m.start() - 6): m.start()]:
            continue  # 每户500元, 每月1次: a rate or a frequency, not a target
        value = _number(m["num"])
        unit = m["unit"]
        if m["wan"]:
            if unit in _MONEY:
                unit = "万" + unit
            else:
                value = _number(str(float(m["num"]) * 10000))
        after = _count_after(clause[m.end():])
        if after:
            verb = next(
                (v for v in _VERB.finditer(clause, 0, m.start()) if v.end() == m.start()), None
            )
            what = (m.end(), m.end() + after)
            span = (verb.start() if verb else m.start(), m.end() + after)
        else:
            what, start = _count_what(clause[: m.start()])
            extra = _AFTER.match(clause, m.end())
            span = (start, extra.end() if extra else m.end())
        found.append((span, what, "count", value, unit))
    for m in _SHARE.finditer(clause):
        value = _number(m["num"])
        what, start = _share_what(clause[: m.start()])
        kind: TargetKind = "whole" if value == 100 else "share"
        found.append(((start, m.end()), what, kind, value, "%"))
    for m in _WHOLE.finditer(clause):
        what, start = _share_what(clause[: m.start()])
        found.append(((start, m.end()), what, "whole", 100, "%"))
    return found


_PROGRESS_COUNT = re.compile(
    rf"(?P<num>{_NUMBER}|[零〇一二两三四五六七八九十百千]+)(?P<wan>万)?(?P<unit>{_MEASURES})"
)
_PROGRESS_SHARE = re.compile(rf"(?P<num>{_NUMBER})%")
_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
              "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}


def _cn_number(text: str) -> int | None:
    """Return the value of a number written in Chinese numerals below ten thousand."""
    total, digit = 0, None
    for char in text:
        if char in _CN_DIGITS:
            if digit is not None:
                return None
            digit = _CN_DIGITS[char]
        elif char in _CN_UNITS:
            total += (1 if digit is None else digit) * _CN_UNITS[char]
            digit = None
        else:
            return None
    return total + (digit or 0)


def _overlap(a: str, b: str) -> int:
    """Return the length of the longest run of characters two texts share."""
    a, b = unicodedata.normalize("NFKC", a), unicodedata.normalize("NFKC", b)
    best = 0
    for i in range(len(a)):
        for j in range(i + best + 1, len(a) + 1):
            if a[i:j] in b:
                best = j - i
            else:
                break
    return best


def _pick(targets: list[Target], report: str) -> Target | None:
    """Return the one target a report speaks of: the only one, or the one it names."""
    if len(targets) == 1:
        return targets[0]
    scored = sorted(((_overlap(t.what, report), i) for i, t in enumerate(targets)), reverse=True)
    if scored and scored[0][0] >= 2 and (len(scored) == 1 or scored[0][0] > scored[1][0]):
        return targets[scored[0][1]]
    return None


def read_progress(text: str, targets: tuple[Target, ...]) -> Progress | None:
    """Read progress in a report (`已签约3家`, `完成60张`, `60%`) against a task's targets."""
    report, _ = _normalized(text)
    for m in _PROGRESS_COUNT.finditer(report):
        raw = m["num"]
        number: float | None = _number(raw) if raw[0].isdigit() else _cn_number(raw)
        if number is None:
            continue
        if m["wan"] and m["unit"] not in _MONEY:
            number = _number(str(number * 10000))
        counts = [t for t in targets if t.unit == m["unit"] and t.kind == "count"]
        target = _pick(counts, report)
        if target is not None and target.value:
            return Progress(target, number, number / target.value, m.group())
    share = _PROGRESS_SHARE.search(report)
    if share is None:
        return None
    percent = _number(share["num"])
    shares = [t for t in targets if t.unit == "%" and t.value]  # 0% (事故率为0%) has no share
    named = _pick(shares, report) if shares else None
    if named is not None and (len(targets) == 1 or _overlap(named.what, report) >= 2):
        return Progress(named, percent, percent / named.value, share.group())
    if len(targets) == 1:
        (target,) = targets
        value = _number(str(round(target.value * percent / 100, 2)))
        return Progress(target, value, percent / 100, share.group())
    return Progress(None, percent, percent / 100, share.group())

"""Lexical evidence from a complaint's text, in any mix of Chinese and English: the numbers it
names (page 100-101, 第100页, 一百零一页, E4) and its character n-grams (typo-tolerant for
English words, bigrams for Chinese). Pure functions, no model, no database."""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

from . import concepts as _concepts
from .concepts import concepts_of

_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_NUMBER = re.compile(r"[零〇一二两三四五六七八九十百千]+")
_DIGITS = re.compile(r"\d+")
_CJK = re.compile(r"[\u3400-\u9fff]+")
_WORD = re.compile(r"[a-z]+")
# Words that carry no defect: agents' framing ("customer says", "called again") and grammar.
_STOP_WORDS_EN = (
    "the a an is are was were it its i my me to of and or in on at for with this that be "
    "been has have had not no but so as by from after before when what why how can get got "
    "just very too also only even still will would should could do does did dont doesnt "
    "cant wont im ive you your we our they their them he she his her there here than then "
    "out up down off all any some one customer customers says said again called call asks "
    "wants"
)
_STOP_EN = frozenset(_STOP_WORDS_EN.split())
_STOP_ZH = frozenset("的了是我在有就都也还很吗呢吧啊呀着把被给让说要会这那个一不没客户顾客又来电")


def _cn_int(s: str) -> int:
    total = current = 0
    for ch in s:
        if ch in _CN_DIGITS:
            current = _CN_DIGITS[ch]
        else:
            total += (current or 1) * _CN_UNITS[ch]
            current = 0
    return total + current


# Traditional characters common in complaints, to their simplified forms: a report typed in
# Hong Kong or Taiwan meets the same words (頁 页, 壞 坏). Not a full converter: the model
# reads both scripts; this serves the lexical evidence.
_TRADITIONAL = str.maketrans(
    "頁裝訂壞鏈沒應電機圖剎車靈險麼開關線腳碼號顏體裡這個為時會來後還說買賣貨發錯護燈邊題問帶"
    "緊鬆斷髒濕熱響聲亂連樣對嗎讓給從點變黃紅藍綠舊價單雙實傳們過氣滿壓條長鐘鍋蓋漲漬黴濾暫"
    "換貼種鈕釦紋損壓蓋圓輪輕傘鍵縫歲藥盒視頻網絡螢幕聽辦運輸適隻隨遲鎖鏽鋁鋼鐵裂燒焦殼",
    "页装订坏链没应电机图刹车灵险么开关线脚码号颜体里这个为时会来后还说买卖货发错护灯边题问带"
    "紧松断脏湿热响声乱连样对吗让给从点变黄红蓝绿旧价单双实传们过气满压条长钟锅盖涨渍霉滤暂"
    "换贴种钮扣纹损压盖圆轮轻伞键缝岁药盒视频网络萤幕听办运输适只随迟锁锈铝钢铁裂烧焦壳",
)


def normalize(text: str) -> str:
    """NFKC (full-width to half-width), lower case, common traditional characters as
    simplified, Chinese numbers of two or more characters as digits (一百零一 -> 101; a lone
    一 stays a word: 一块, 一直)."""
    t = unicodedata.normalize("NFKC", text or "").lower().translate(_TRADITIONAL)

    def digits(m: re.Match[str]) -> str:
        s = m.group(0)
        if len(s) == 1 and s not in _CN_UNITS:
            return s
        return str(_cn_int(s))

    return _CN_NUMBER.sub(digits, t)


def numbers_of(normalized: str) -> frozenset[str]:
    """The numbers a complaint names; a page, a volume, an error code, a size."""
    return frozenset(n.lstrip("0") or "0" for n in _DIGITS.findall(normalized))


def grams_of(normalized: str) -> frozenset[str]:
    """Chinese: characters and character bigrams; English: words and their character
    trigrams (so that "leakng" still meets "leaking")."""
    out: set[str] = set()
    for run in _CJK.findall(normalized):
        for i, ch in enumerate(run):
            if ch not in _STOP_ZH:
                out.add(ch)
            if i + 1 < len(run) and not (ch in _STOP_ZH and run[i + 1] in _STOP_ZH):
                out.add(run[i : i + 2])
    for w in _WORD.findall(normalized):
        if len(w) < 2 or w in _STOP_EN:
            continue
        out.add(w)
        padded = f"<{w}>"
        out.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return frozenset(out)


def overlap(a: frozenset[str], b: frozenset[str]) -> float:
    """Cosine of two sets: shared / sqrt(|a| |b|)."""
    if not a or not b:
        return 0.0
    return len(a & b) / math.sqrt(len(a) * len(b))


def language_of(text: str) -> str:
    """ "zh" when Chinese characters make up a fair part of the text, else "en"."""
    cjk = sum(len(r) for r in _CJK.findall(text or ""))
    return "zh" if cjk >= 2 and cjk >= 0.2 * len((text or "").replace(" ", "")) else "en"


_CLAUSE = re.compile(r"[，,。.!！？?；;：:\n]+")


def label_from(text: str, limit: int = 60) -> str:
    """A problem's label: the first clause of a report that says something, shortened (at a
    word's end for English)."""
    for clause in _CLAUSE.split(text or ""):
        clause = clause.strip(" -~—…")
        if len(clause) >= 4:
            return _shorten(clause, limit)
    return _shorten((text or "").strip(), limit)


def _shorten(s: str, limit: int) -> str:
    if len(s) <= limit:
        return s
    cut = s[: limit - 1]
    if " " in cut and not _CJK.search(cut[-1]):
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip() + "…"


# A customer's later contact that says it is about the same thing again ("called again", "the
# replacement has it too", 又来电, 换的新的还是): read only between two contacts of one
# customer, where it tells a repeat report from a second, different complaint.
_FOLLOW_UP = re.compile(
    r"\b(again|same (?:problem|issue|thing|way|fault)|replacement|exchanged|called back"
    r"|calling back|follow[- ]?up|still the|re:)"
    r"|又来电|又打|再次|上次|换的|换回来|换了|同样|一样的问题|同一个问题|还是那|仍然|依旧|又"
)


def follow_up_of(normalized: str) -> bool:
    return bool(_FOLLOW_UP.search(normalized))


@dataclass(frozen=True)
class Lexical:
    grams: frozenset[str]
    numbers: frozenset[str]
    language: str = "en"
    follow_up: bool = False
    concepts: frozenset[str] = frozenset()
    defects: frozenset[str] = frozenset()  # the concepts that are defects (not questions...)


def lexical_of(text: str) -> Lexical:
    n = normalize(text)
    concepts = concepts_of(n)
    defects = concepts - _concepts.NOT_DEFECTS
    return Lexical(
        grams_of(n), numbers_of(n), language_of(text), follow_up_of(n), concepts, defects
    )

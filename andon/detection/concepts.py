"""A small bilingual vocabulary of what goes wrong with goods, so that a Chinese and an English
report of one defect share evidence without sharing a word ("漏水" and "leaks" are both
*leak*), and two reports that share a word but not the defect ("page 56 fell out" and "pages
56-71 have no pictures") do not. Generic service-desk vocabulary, written for any product of
a general catalogue, not for the labelled set: each concept lists Chinese substrings and
English word stems (a stem matches the start of a word, so "leak" meets "leaking", "leaks").
Pure: no model, no database."""

from __future__ import annotations

import re

# concept: (Chinese substrings, English stems)
_CONCEPTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "leak": (("漏", "渗", "滴水", "溢"), ("leak", "drip", "seep", "waterproof", "soak", "wet")),
    "water-damage": (
        ("水渍", "水泡", "泡水", "受潮", "霉", "淋湿", "湿了", "湿透"),
        ("water damage", "damp", "mould", "mold", "moist", "soaked"),
    ),
    "crack-break": (
        ("断", "裂", "碎", "折了", "坏了", "破裂", "崩"),
        ("crack", "broke", "break", "snap", "shatter", "split", "fractur", "busted"),
    ),
    "tear-hole": (("破了", "破洞", "撕", "口子", "划破"), ("tear", "torn", "rip", "hole")),
    "loose-detach": (
        ("松", "掉了", "脱落", "脱开", "开胶", "掉下", "晃", "散"),
        (
            "loose",
            "detach",
            "came off",
            "coming off",
            "fell off",
            "fall off",
            "wobbl",
            "wiggl",
            "peel",
            "unglued",
            "fall out",
            "fell out",
        ),
    ),
    "stuck-jam": (
        ("卡住", "卡死", "卡", "拉不动", "转不动", "打不开", "合不上", "收不"),
        ("stuck", "jam", "won't open", "wont open", "seiz", "won't close"),
    ),
    "not-working": (
        (
            "不工作",
            "没反应",
            "失灵",
            "不亮",
            "不转",
            "坏",
            "不好使",
            "不能用",
            "开不了机",
            "不开机",
            "不启动",
            "用不了",
            "不管用",
        ),
        (
            "dead",
            "not work",
            "doesn't work",
            "doesnt work",
            "does nothing",
            "broken",
            "faulty",
            "no response",
            "won't turn on",
            "wont turn on",
            "doesn't turn on",
            "won't start",
            "stopped working",
            "not respond",
            "unresponsive",
            "malfunction",
        ),
    ),
    "power-charge": (
        ("充电", "充不", "没电", "电量", "续航", "电池"),
        ("charg", "battery", "power", "recharg"),
    ),
    "disconnect": (
        ("断开", "断连", "连不上", "掉线", "信号", "延迟", "断线", "配对", "蓝牙", "距离"),
        ("disconnect", "connection", "pair", "bluetooth", "signal", "lag", "drop", "range"),
    ),
    "noise": (
        ("响", "噪音", "声音", "吵", "嗡", "咔", "吱"),
        ("noise", "noisy", "loud", "rattl", "squeak", "click", "buzz", "hum", "grind"),
    ),
    "smell": (("味", "臭", "焦"), ("smell", "odor", "odour", "stink", "fume")),
    "heat": (
        ("烫", "发热", "过热", "热得", "温度高"),
        ("hot", "overheat", "heat", "scorch", "melt", "too warm"),
    ),
    "not-warm": (
        ("保温", "不热", "凉了", "变凉", "不加热", "凉的", "冷风", "温温", "加热不"),
        (
            "insulat",
            "lukewarm",
            "keep warm",
            "keep hot",
            "cold",
            "cool down",
            "not heating",
            "doesn't heat",
            "won't heat",
            "no heat",
        ),
    ),
    "burn-fire": (("冒烟", "着火", "烧", "火花"), ("smoke", "fire", "spark", "burn", "flame")),
    "size-small": (
        ("偏小", "小了", "太紧", "挤脚", "紧", "小一码"),
        ("small", "tight", "narrow", "too snug"),
    ),
    "size-large": (
        ("偏大", "大了", "太松", "太长", "太宽"),
        ("large", "big", "loose fit", "too long", "baggy"),
    ),
    "size-mismatch": (
        ("不一样", "不一致", "不配套", "对不上", "不匹配"),
        (
            "mismatch",
            "doesn't match",
            "don't match",
            "different size",
            "doesn't fit",
            "don't fit",
            "not fit",
        ),
    ),
    "colour": (
        ("颜色", "掉色", "褪色", "染色", "色差", "发灰", "发黄"),
        ("colour", "color", "dye", "fade", "bleed", "stain", "discolo", "shade"),
    ),
    "coating-paint": (
        ("涂层", "掉漆", "脱漆", "掉皮", "起皮", "漆", "剥落", "镀层", "电镀"),
        (
            "coating",
            "paint",
            "flake",
            "flaking",
            "chip",
            "nonstick",
            "non-stick",
            "enamel",
            "plating",
        ),
    ),
    "print-quality": (
        ("模糊", "重影", "印刷", "墨", "看不清", "字迹", "发虚", "印歪"),
        ("blurr", "smudg", "ink", "print", "faint", "ghost", "illegib"),
    ),
    "blank-missing-print": (
        ("空白", "白纸", "漏印", "没印"),
        ("blank", "unprinted", "no printing"),
    ),
    "pages-missing": (
        ("缺页", "少了", "跳页", "少页", "漏了一帖"),
        ("missing page", "pages missing", "pages are missing", "skips", "jumps from"),
    ),
    "pages-order": (
        ("顺序", "页序", "乱了", "颠倒", "错乱", "接不上"),
        ("order", "sequence", "out of order", "upside down", "shuffled"),
    ),
    "uncut-pages": (
        ("未裁", "没裁", "没切", "裁开", "切开", "连在一起", "连着"),
        ("uncut", "not cut", "never cut", "untrimmed", "not trimmed", "joined"),
    ),
    "binding": (("装订", "胶装", "书脊", "散页", "掉页"), ("binding", "bound", "spine", "glue")),
    "typo": (
        ("错别字", "错字", "印错", "漏字"),
        ("typo", "misprint", "misspell", "wrong character"),
    ),
    "missing-part": (
        ("缺", "少了", "没有", "没给", "不全", "漏发", "少发", "少一"),
        (
            "missing",
            "not included",
            "didn't come with",
            "absent",
            "lacks",
            "no ",
            "only got",
        ),
    ),
    "wrong-item": (
        ("发错", "错发", "收到的是", "不是我买的", "版本不对", "发成", "货不对", "型号不对"),
        (
            "wrong item",
            "instead",
            "received the wrong",
            "not what i ordered",
            "got the",
            "sent the wrong",
            "wrong one",
            "wrong model",
            "wrong version",
        ),
    ),
    "dent-crush": (
        ("凹", "瘪", "压坏", "压扁", "变形", "磕", "翘", "鼓起", "不平"),
        ("dent", "crush", "deform", "bent", "warp", "squash", "bulg", "uneven"),
    ),
    "scratch": (("划痕", "刮花", "划伤", "磨损"), ("scratch", "scuff", "abrasion", "worn")),
    "fold-mechanism": (("折叠", "收起", "收车", "展开"), ("fold", "collaps", "unfold")),
    "brake": (("刹车", "制动"), ("brake", "braking")),
    "zip-button": (("拉链", "拉头", "纽扣", "扣子", "按扣"), ("zip", "zipper", "button", "snap")),
    "seam-stitch": (("开线", "缝线", "线头", "接缝", "走线"), ("seam", "stitch", "thread")),
    "fit-attach": (("插不", "装不上", "卡不进", "不配"), ("fit", "attach", "won't go on", "mount")),
    "slow": (("慢", "不是快充"), ("slow", "takes hours", "takes forever")),
    "fast-drain": (
        ("没电", "不耐用", "掉电", "几天就"),
        ("runs out", "drain", "doesn't last", "only lasts"),
    ),
    # Categories the labelled set has few or none of (a general catalogue's other goods).
    "screen-display": (
        ("屏幕", "屏", "花屏", "黑屏", "亮点", "坏点"),
        ("screen", "display", "pixel", "flicker", "backlight"),
    ),
    "sound-quality": (
        ("音质", "杂音", "电流声", "没声音", "声音小", "单边", "一边没声"),
        (
            "sound quality",
            "static",
            "crackl",
            "distort",
            "no sound",
            "muffled",
            "one side",
            "volume",
        ),
    ),
    "app-connect": (
        ("连不上网", "wifi", "配网", "蓝牙连不"),
        ("wifi", "wi-fi", "firmware", "update", "sync"),
    ),
    "shrink-pill": (
        ("缩水", "起球", "起毛", "掉毛", "勾丝"),
        ("shrank", "shrink", "shrunk", "pilling", "pills", "bobbl", "lint", "fuzz", "shedding"),
    ),
    "skin-reaction": (
        ("过敏", "起疹", "疹", "痒", "红肿", "刺痛", "泛红", "发红", "长痘", "烂脸", "刺激"),
        (
            "allerg",
            "rash",
            "itch",
            "irritat",
            "sting",
            "burning sensation",
            "hives",
            "redness",
            "breakout",
            "broke out",
            "swell",
            "swollen",
            "reaction",
        ),
    ),
    "spoiled-taste": (
        ("变质", "发霉", "味道不对", "馊", "难吃", "口感", "苦", "酸了", "哈喇", "油耗"),
        ("spoil", "rotten", "stale", "taste", "mouldy", "moldy", "rancid", "sour", "bitter"),
    ),
    "expiry": (
        ("过期", "保质期", "临期", "生产日期", "效期", "快到期"),
        ("expir", "best before", "use by", "shelf life", "out of date", "out-of-date"),
    ),
    "counterfeit": (
        ("假货", "假的", "山寨", "仿品", "高仿", "正品", "防伪", "盗版", "不是原装"),
        (
            "fake",
            "counterfeit",
            "knock-off",
            "knockoff",
            "genuine",
            "authentic",
            "replica",
            "pirat",
        ),
    ),
    "instructions": (
        ("说明书", "使用说明", "教程", "没有中文", "翻译"),
        ("instruction", "manual", "guide", "translat", "leaflet"),
    ),
    "transit-damage": (
        (
            "快递压",
            "运输",
            "外箱",
            "箱子破",
            "包装破",
            "包装烂",
            "摔坏",
            "到手就",
            "收到就",
            "收到时",
        ),
        (
            "arrived broken",
            "arrived damaged",
            "arrived crack",
            "damaged in transit",
            "in transit",
            "box was crush",
            "box crushed",
            "packaging",
            "when it arrived",
            "on arrival",
            "out of the box",
        ),
    ),
    "stain-dirty": (
        ("污渍", "脏", "油渍", "斑点", "黑点", "污点", "印子"),
        ("stain", "dirty", "spots", "marks", "grease", "greasy", "smear", "grimy"),
    ),
    "rust": (("生锈", "锈", "氧化"), ("rust", "corro", "oxidi", "tarnish")),
    "sharp-edge": (
        ("锋利", "割手", "扎手", "划手", "毛刺", "刮手"),
        ("sharp", "burr", "cut my", "cut his", "cut her", "jagged"),
    ),
    "shuts-off": (
        ("自动关机", "自动断电", "断电", "关机", "停机", "跳闸"),
        ("shuts off", "shut off", "shuts down", "shut down", "turns off", "cuts out", "trips"),
    ),
    "plug-voltage": (
        ("插头", "插座", "电压", "英标", "美标", "欧标", "国标"),
        ("plug", "socket", "voltage", "adapter", "outlet"),
    ),
    "weak-power": (
        ("风力", "风小", "吸力", "没劲", "力度小", "动力不足", "功率"),
        ("weak", "underpowered", "suction", "no power", "airflow", "wattage", "barely"),
    ),
    "foreign-object": (
        ("异物", "头发", "虫", "杂质"),
        ("foreign object", "hair in", "insect", "bug", "debris", "particle"),
    ),
    "assembly": (
        ("组装", "螺丝", "孔位"),
        ("assembl", "screws", "screw hole", "holes don't"),
    ),
    "delivery-late": (
        ("没到", "还没发货", "物流", "快递", "在路上", "没收到"),
        ("delivery", "shipping", "ship", "arrive", "tracking", "courier", "late"),
    ),
    "invoice": (("发票",), ("invoice", "receipt", "fapiao")),
    "question": (
        ("吗", "能不能", "可以", "有没有", "怎么"),
        ("can i", "is it", "does it", "do you", "is there", "what "),
    ),
}

# What a contact asks or chases rather than what is wrong with the goods: two customers who
# both ask a question, or both chase a parcel, have not reported one defect. These concepts
# still tell a question from a defect report ("concepts differ"); they never count as a
# defect both name ("concepts shared").
NOT_DEFECTS = frozenset({"question", "delivery-late", "invoice"})

_STEMS: list[tuple[str, re.Pattern[str], str]] = []
_ZH: list[tuple[str, str]] = []
for _concept, (_zh, _en) in _CONCEPTS.items():
    _ZH.extend((s, _concept) for s in _zh)
    _STEMS.extend((s, re.compile(r"\b" + re.escape(s)), _concept) for s in _en)


def concepts_of(normalized: str) -> frozenset[str]:
    """The defect concepts a normalised text (text.normalize: lower case, half-width) names.
    A stem's word-start pattern runs only where the stem occurs at all (a substring test):
    ~250 patterns searched on every new text cost milliseconds, the tests microseconds."""
    found = {c for s, c in _ZH if s in normalized}
    found.update(c for s, p, c in _STEMS if s in normalized and p.search(normalized))
    return frozenset(found)

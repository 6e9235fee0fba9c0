"""Word lists for believable Chinese demo data. Titles and names are combined from these
lists by a seeded random generator, so the same run always yields the same catalogue."""

from __future__ import annotations

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢"
    "宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
)
GIVEN = (
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀英",
    "霞",
    "平",
    "刚",
    "桂英",
    "晓雯",
    "建国",
    "志强",
    "婷婷",
    "雪梅",
    "海燕",
    "晨",
    "宇轩",
    "子涵",
    "欣怡",
    "浩然",
    "梓萱",
    "一诺",
    "思远",
    "佳琪",
    "文博",
    "雨桐",
    "俊杰",
)
PHONE_PREFIXES = ("138", "139", "136", "137", "150", "151", "158", "186", "188", "135", "177")

BOOK_WORDS_A = (
    "山河",
    "长夜",
    "远方",
    "故乡",
    "城南",
    "月光",
    "岁月",
    "人间",
    "草原",
    "海边",
    "春风",
    "旧时",
    "河流",
    "雪国",
    "少年",
    "星辰",
    "平凡",
    "沉默",
    "时间",
    "北方",
)
BOOK_WORDS_B = (
    "往事",
    "笔记",
    "的故事",
    "之歌",
    "来信",
    "纪事",
    "手记",
    "札记",
    "回忆录",
    "的秘密",
    "漫游",
    "简史",
    "十讲",
    "三十年",
    "的孩子们",
    "与我",
)
BOOK_PUBLISHERS = (
    ("人民文学出版社", "北京华联印刷有限公司"),
    ("上海译文出版社", "上海中华印刷有限公司"),
    ("中信出版集团", "河北鹏润印刷有限公司"),
    ("译林出版社", "南京爱德印刷有限公司"),
    ("生活·读书·新知三联书店", "北京隆昌伟业印刷有限公司"),
    ("湖南文艺出版社", "长沙鸿发印务实业有限公司"),
)
HOUSEHOLD_BRANDS = ("简居", "木日", "禾本", "素舍", "青岚", "家和", "悦厨", "净然", "安暖", "拾光")
HOUSEHOLD_ITEMS = (
    ("不锈钢保温杯", "500ml"),
    ("陶瓷马克杯", "350ml"),
    ("竹制砧板", "大号"),
    ("收纳箱", "30L"),
    ("纯棉毛巾", "3条装"),
    ("玻璃保鲜盒", "4件套"),
    ("不粘炒锅", "32cm"),
    ("电热水壶", "1.7L"),
    ("折叠晾衣架", "落地式"),
    ("乳胶枕", "标准款"),
    ("LED台灯", "护眼款"),
    ("硅胶锅铲", "耐高温"),
    ("真空保温饭盒", "双层"),
    ("洗衣袋", "5件套"),
    ("厨房置物架", "三层"),
    ("香薰蜡烛", "木质调"),
)
HOUSEHOLD_MAKERS = (
    "浙江永康日用品有限公司",
    "广东佛山家居用品厂",
    "福建厦门竹木制品有限公司",
    "江苏苏州塑料制品有限公司",
    "山东青岛厨具有限公司",
)

# What customers say, per kind of product and reason: a book is never "cracked" and a towel
# never has "smudged pages" (the past andons' own words are in history.PAST).
CONTACT_TEXTS = {
    ("book", "print-defect"): (
        "书有几页印刷模糊",
        "装订脱页，中间散开了",
        "有两页顺序装反了",
        "Pages are smudged in chapter 3",
    ),
    ("book", "wrong-item"): ("收到的是另一本书", "发来的版本不对", "Received a different book"),
    ("book", "damaged-in-transit"): (
        "快递盒湿了，书角变形",
        "封面折痕很深",
        "Cover torn in transit",
    ),
    ("book", "late-delivery"): (
        "承诺三天到，已经一周了",
        "物流信息一直没更新",
        "Still not delivered",
    ),
    ("book", "description-mismatch"): (
        "页面写的是精装，收到的是平装",
        "Not the edition the listing shows",
    ),
    ("household", "wrong-item"): (
        "收到的不是我买的商品",
        "颜色发错了，我要的是白色",
        "Received a different item",
    ),
    ("household", "damaged-in-transit"): (
        "外包装压坏，商品有裂纹",
        "快递盒破了，东西摔坏了",
        "Box crushed, item broken",
    ),
    ("household", "late-delivery"): (
        "承诺三天到，已经一周了",
        "物流信息一直没更新",
        "Still not delivered",
    ),
    ("household", "missing-parts"): (
        "少了一个配件",
        "套装里少了一件",
        "One piece of the set is missing",
    ),
    ("household", "description-mismatch"): (
        "实物和图片差别很大",
        "尺寸比描述的小",
        "Smaller than described",
    ),
    ("household", "safety-hazard"): ("边缘很锋利，孩子划伤了手", "A sharp edge cut my hand"),
}

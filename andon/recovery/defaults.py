"""The default recovery catalogue and guide limits, from the talk's story (new copy with a
check before delivery, 5 CNY coupon, membership with 2% off, no photo, no return)."""

from decimal import Decimal

CATALOGUE = [
    # code, kind, zh, en, default cost (None: product price), note zh, note en, agent, lead
    (
        "replacement",
        "replacement",
        "补发新品",
        "Ship a replacement",
        None,
        "送货前请快递员开箱检查",
        "Courier checks the item before delivery",
        Decimal("200"),
        Decimal("1000"),
    ),
    ("refund", "refund", "退款", "Refund", None, "", "", Decimal("200"), Decimal("1000")),
    (
        "coupon-5",
        "coupon",
        "5元购物券",
        "5 CNY coupon",
        Decimal("5"),
        "",
        "",
        Decimal("20"),
        Decimal("100"),
    ),
    (
        "membership-98",
        "membership",
        "加入会员（九八折）",
        "Membership enrolment (2% off)",
        Decimal("0"),
        "",
        "",
        Decimal("50"),
        Decimal("200"),
    ),
    (
        "return-waived",
        "return_waived",
        "无需退回",
        "No return needed",
        Decimal("0"),
        "",
        "",
        None,
        None,
    ),
    (
        "photo-waived",
        "photo_waived",
        "无需拍照",
        "No photo needed",
        Decimal("0"),
        "",
        "",
        None,
        None,
    ),
]

"""The default plan, from the talk's story: the agent enrols the unhappy customer as a member
with 2% off (九八折). A monthly plan with a 30-day trial that the recovery catalogue's
`membership-98` action starts. Admins change it or add their own plans."""

from decimal import Decimal

PLAN = {
    "code": "member-98",
    "name_zh": "会员（九八折）",
    "name_en": "Member (2% off)",
    "price": Decimal("10.00"),
    "period": "month",
    "trial_days": 30,
    "grace_days": 7,
    "recovery_action": "membership-98",
}
BENEFITS = [
    # kind, value, zh, en
    ("discount_percent", Decimal("2"), "全场九八折", "2% off every order"),
    ("priority_service", None, "优先客服专线", "Priority service line"),
]

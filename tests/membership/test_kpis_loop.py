"""Member figures beside the others: contacts per 100 orders for members and non-members,
and the close-the-loop figure for the recovered against a control group (the same complaint,
no recovery); edge cases (nobody to divide by, a month boundary in Asia/Shanghai)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from andon.catalog.models import Product
from andon.contacts.models import Contact, ReasonCode
from andon.membership.rules import Source
from andon.membership.selectors import member_kpis
from andon.membership.services import membership_enrol, membership_tick, plans_ensure_defaults
from andon.orders.models import Customer, Order, OrderLine
from andon.recovery.members import recovered_members
from andon.recovery.models import RecoveryAction, RecoveryGiven
from andon.recovery.services import catalogue_ensure_defaults

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
FEB = (dt.datetime(2026, 2, 1, tzinfo=SH), dt.datetime(2026, 3, 1, tzinfo=SH))
MAR = (FEB[1], dt.datetime(2026, 4, 1, tzinfo=SH))


@pytest.fixture(autouse=True)
def _shanghai(settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    plans_ensure_defaults()
    catalogue_ensure_defaults()


class Shop:
    def __init__(self, agent) -> None:
        self.agent = agent
        self.book = Product.objects.create(sku="978-loop", title="书", price="40.00")
        self.other_book = Product.objects.create(sku="978-loop-2", title="书二", price="40.00")
        self.defect = ReasonCode.objects.get(code="print-defect")
        self.n = 0

    def customer(self, name: str) -> Customer:
        return Customer.objects.create(external_id=name, name=name)

    def order(self, c: Customer, at: dt.datetime, product: Product | None = None) -> OrderLine:
        self.n += 1
        o = Order.objects.create(external_id=f"o{self.n}", customer=c, placed_at=at)
        return OrderLine.objects.create(
            order=o, line_no=1, product=product or self.book, quantity=1, unit_price="40"
        )

    def contact(self, c, at, product=None, reason=None) -> Contact:
        line = self.order(c, at - dt.timedelta(days=3), product)
        return Contact.objects.create(
            created_at=at,
            customer=c,
            order_line=line,
            product=line.product,
            reason=reason or self.defect,
            text="100-101页未裁开",
            agent=self.agent,
        )

    def recover(self, contact: Contact, at: dt.datetime, action="coupon-5") -> RecoveryGiven:
        # Written directly with its time: the service reads the clock itself.
        return RecoveryGiven.objects.create(
            contact=contact,
            customer=contact.customer,
            action=RecoveryAction.objects.get(code=action),
            cost="5",
            agent=self.agent,
            given_at=at,
        )


@pytest.fixture
def shop(world) -> Shop:
    return Shop(world.users["agent1"])


def enrol(c, at, trial=True):
    return membership_enrol(
        actor=None, customer=c, plan_code="member-98", source=Source.API, trial=trial, at=at
    )


def test_contacts_per_100_orders_for_members_and_the_others(shop):
    member, other = shop.customer("m"), shop.customer("x")
    enrol(member, dt.datetime(2026, 1, 20, tzinfo=SH), trial=False)
    for day in (10, 11, 12, 13):  # each contact comes with its order three days before
        shop.contact(member if day < 12 else other, dt.datetime(2026, 2, day, 12, tzinfo=SH))
    shop.order(other, dt.datetime(2026, 2, 20, tzinfo=SH))
    shop.contact(member, dt.datetime(2026, 3, 2, tzinfo=SH))  # its order in February, itself not
    k = member_kpis(since=FEB[0], until=FEB[1])
    assert (k.contacts, k.member_contacts) == (4, 2)
    assert (k.orders, k.member_orders) == (6, 3)
    assert k.member_contacts_per_100 == pytest.approx(66.67)  # 2 contacts, 3 orders
    assert k.other_contacts_per_100 == pytest.approx(66.67)


def test_contacts_per_100_orders_with_no_orders_is_no_data_not_zero(shop):
    shop.contact(shop.customer("x"), dt.datetime(2026, 2, 10, tzinfo=SH))
    k = member_kpis(since=dt.datetime(2026, 2, 9, tzinfo=SH), until=FEB[1])
    assert (k.contacts, k.orders) == (1, 0)
    assert k.member_contacts_per_100 is None and k.other_contacts_per_100 is None
    assert k.trial_conversion is None  # no trials decided either


def test_a_contact_at_half_past_midnight_on_1_march_in_shanghai_counts_in_march(shop):
    c = shop.customer("x")
    shop.contact(c, dt.datetime(2026, 2, 28, 16, 30, tzinfo=dt.UTC))  # 00:30 on 1 March
    shop.contact(c, dt.datetime(2026, 2, 28, 15, 30, tzinfo=dt.UTC))  # 23:30 on 28 February
    assert member_kpis(since=FEB[0], until=FEB[1]).contacts == 1
    assert member_kpis(since=MAR[0], until=MAR[1]).contacts == 1


def test_the_recovered_against_customers_with_the_same_complaint_and_no_recovery(shop):
    t = dt.datetime(2026, 2, 10, 12, tzinfo=SH)
    a, b, c, d, e = (shop.customer(n) for n in "abcde")
    shop.recover(shop.contact(a, t), t + dt.timedelta(minutes=5), action="membership-98")
    enrol(a, t + dt.timedelta(minutes=5))  # the recovery's trial (the service does this)
    shop.recover(shop.contact(b, t), t + dt.timedelta(hours=1))
    # Control: the same reason on the same product, no recovery.
    shop.contact(c, t + dt.timedelta(days=1))
    shop.contact(d, t + dt.timedelta(days=2))
    # Not comparable: another product, or another reason on the same product.
    shop.contact(e, t, product=shop.other_book)
    shop.contact(e, t, reason=ReasonCode.objects.exclude(code="print-defect").first())
    # Outcomes: a converts; b and c order again within 30 days, d within 90; d enrols later.
    membership_tick(now=t + dt.timedelta(days=31))
    shop.order(b, t + dt.timedelta(days=20))
    shop.order(c, t + dt.timedelta(days=25))
    shop.order(d, t + dt.timedelta(days=60))
    enrol(d, t + dt.timedelta(days=40))
    loop = recovered_members(since=FEB[0], until=FEB[1])
    r, k = loop.recovered, loop.control
    assert (r.customers, r.enrolled, r.converted, r.renewed) == (2, 1, 1, 0)
    assert (r.ordered_30, r.ordered_90) == (1, 1)
    assert (k.customers, k.enrolled, k.converted, k.renewed) == (2, 1, 0, 0)
    assert (k.ordered_30, k.ordered_90) == (1, 2)
    assert (r.share("enrolled"), k.share("ordered_90")) == (0.5, 1.0)


def test_the_loop_month_is_shanghais_and_an_empty_group_has_no_shares(shop):
    a, c = shop.customer("a"), shop.customer("c")
    late = dt.datetime(2026, 2, 28, 16, 30, tzinfo=dt.UTC)  # 00:30 on 1 March in Shanghai
    shop.recover(shop.contact(a, late), late)
    shop.contact(c, dt.datetime(2026, 2, 28, 15, 30, tzinfo=dt.UTC))  # 23:30 on 28 February
    feb = recovered_members(since=FEB[0], until=FEB[1])
    # In February no recovery was given: no complaint to compare with, nobody on either side.
    assert (feb.recovered.customers, feb.control.customers) == (0, 0)
    assert feb.recovered.share("enrolled") is None and feb.control.share("ordered_30") is None
    mar = recovered_members(since=MAR[0], until=MAR[1])
    assert (mar.recovered.customers, mar.control.customers) == (1, 0)


def test_the_close_the_loop_figures_cost_five_queries(shop, django_assert_num_queries):
    t = dt.datetime(2026, 2, 10, tzinfo=SH)
    for i in range(20):
        contact = shop.contact(shop.customer(f"c{i}"), t)
        if i % 2:
            shop.recover(contact, t)
    with django_assert_num_queries(5):  # recoveries, complaints, contacts, members, orders
        loop = recovered_members(since=FEB[0], until=FEB[1])
    assert (loop.recovered.customers, loop.control.customers) == (10, 10)

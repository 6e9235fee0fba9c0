"""The row shapes of a bulk import, one per kind, flat so that CSV, XLSX and JSON share them.
External ids are the keys: importing the same rows again changes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from andon.contacts.models import Channel
from andon.contacts.services import TEXT_MAX
from andon.membership.rules import State as MembershipState
from andon.orders.models import FulfilmentStatus

CODE = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"


class Row(BaseModel):
    # Spreadsheets give numbers where we want text (an SKU of digits): accept them as text.
    # defer_build: a shape's validator is built when its kind is first imported, not when the
    # command starts (most of this module's import time otherwise).
    model_config = ConfigDict(
        coerce_numbers_to_str=True, extra="ignore", str_strip_whitespace=True, defer_build=True
    )


class WarehouseRow(Row):
    code: str = Field(pattern=r"^[-a-zA-Z0-9_]{1,50}$")
    name: str = Field(min_length=1, max_length=100)


class ProductRow(Row):
    sku: str = Field(pattern=CODE)
    title: str = Field(min_length=1, max_length=300)
    price: Decimal = Field(ge=0, max_digits=12, decimal_places=2)
    monthly_gmv: Decimal = Field(Decimal("0"), ge=0, max_digits=14, decimal_places=2)


class BatchRow(Row):
    sku: str = Field(pattern=CODE)
    code: str = Field(min_length=1, max_length=64)
    supplier: str = Field("", max_length=200)
    manufacturer: str = Field("", max_length=200)
    received_at: dt.date | None = None


class StockRow(Row):
    sku: str = Field(pattern=CODE)
    warehouse: str = Field(min_length=1, max_length=50)
    batch: str = Field(min_length=1, max_length=64)
    quantity: int = Field(ge=0, le=10_000_000)


class CustomerRow(Row):
    external_id: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=200)
    phone: str = Field("", max_length=40)
    email: str = Field("", max_length=254)
    # Optional, for integrity signals; a file without these columns imports as before.
    registered_at: dt.datetime | None = None
    address: str = Field("", max_length=300)
    city: str = Field("", max_length=100)
    device_id: str = Field("", max_length=128)


class OrderLineRow(Row):
    """One order line per row; the order's own fields repeat on each of its lines."""

    order: str = Field(min_length=1, max_length=64)
    customer: str = Field(min_length=1, max_length=64)
    placed_at: dt.datetime
    channel: str = Field("", max_length=40)
    line_no: int = Field(ge=1, le=10_000)
    sku: str = Field(pattern=CODE)
    quantity: int = Field(1, ge=1, le=100_000)
    unit_price: Decimal = Field(Decimal("0"), ge=0, max_digits=12, decimal_places=2)
    batch: str | None = Field(None, max_length=64)
    warehouse: str | None = Field(None, max_length=50)
    status: FulfilmentStatus = FulfilmentStatus.PLACED


class ContactRow(Row):
    """A customer contact recorded elsewhere (history, another service desk). It counts as
    evidence like one recorded in Andon, but an import never pulls the cord."""

    external_id: str = Field(min_length=1, max_length=64)
    customer: str = Field(min_length=1, max_length=64)
    order: str = Field(min_length=1, max_length=64)
    line_no: int = Field(ge=1, le=10_000)
    reason: str = Field(min_length=1, max_length=50)
    # Required, and checked by contacts.rules.text_problem (one message on every path).
    text: str = Field("", max_length=TEXT_MAX, description="what the customer said (required)")
    channel: Channel = Channel.PHONE
    created_at: dt.datetime
    agent: str = Field(min_length=1, max_length=150, description="the agent's username")
    handling_seconds: int | None = Field(None, ge=0, le=86_400)


class PersonRow(Row):
    """A person of the organisation adopting Andon: creates or updates the account (never its
    password: sign-in is set later, by the admin or the person), its role, team and the team's
    lead. Admin rights are never given by import."""

    username: str = Field(pattern=r"^[\w.@+-]{1,150}$")
    display_name: str = Field("", max_length=100)
    role: Literal["agent", "team_lead", "confirmer", "integrator"]
    team: str | None = Field(None, pattern=r"^[-a-zA-Z0-9_]{1,50}$", description="team code")
    team_lead: str | None = Field(None, max_length=150, description="the team lead's username")


class AndonHistoryRow(Row):
    """A pull made before Andon: recorded as a closed andon with its past times, counted in the
    KPIs, the bonus history and the integrity signals, with no listing change, hold, work
    order or webhook. Its key is (sku, reason, agent, pulled_at)."""

    sku: str = Field(pattern=CODE)
    reason: str = Field(min_length=1, max_length=50)
    note: str = Field(min_length=1, max_length=200)
    agent: str = Field(min_length=1, max_length=150, description="the puller's username")
    pulled_at: dt.datetime
    evidence: str = Field(
        "", max_length=2000, description="contact external ids, separated by spaces or commas"
    )
    verdict: Literal["valid", "invalid"] | None = None
    root_cause: Literal["person", "training", "process", "money", "system"] | None = None
    reviewer: str | None = Field(None, max_length=150, description="the reviewer's username")
    reviewed_at: dt.datetime | None = None


ROWS: dict[str, type[Row]] = {
    "warehouses": WarehouseRow,
    "products": ProductRow,
    "batches": BatchRow,
    "stock": StockRow,
    "customers": CustomerRow,
    "orders": OrderLineRow,
    "contacts": ContactRow,
    "people": PersonRow,
    "andon-history": AndonHistoryRow,
}


class MembershipRow(Row):
    """The storefront's own record of one customer's membership, as PUT
    /customers/{external_id}/membership takes it: one row per customer (the key)."""

    customer: str = Field(min_length=1, max_length=64, description="customer external id")
    plan: str = Field(min_length=1, max_length=50, description="plan code")
    state: MembershipState
    started_at: dt.datetime
    ends_at: dt.datetime
    auto_renew: bool = True


ROWS["memberships"] = MembershipRow

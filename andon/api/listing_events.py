"""The listing-status feed for storefronts that poll instead of receiving webhooks."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router
from pydantic import BaseModel, Field

from andon.core.errors import InvalidInput
from andon.integrations.selectors import listing_events_after

from .problems import Problem

router = Router(tags=["listing events"])


class ListingEventOut(BaseModel):
    id: int
    event_type: str
    sku: str
    listing_status: str = Field(description="active, suppressed or limited, after this event")
    sequence: int = Field(description="Per-product order: apply only a higher one.")
    occurred_at: dt.datetime
    max_units: int | None = Field(
        None, description="Limited (a staged relist): sell at most this many units."
    )
    until: dt.datetime | None = Field(
        None, description="Limited: the watch ends then, and the product relists fully."
    )


class ListingEventsPage(BaseModel):
    events: list[ListingEventOut]
    next: str = Field(description="Pass as `after` for the next page; opaque.")


@router.get("/listing-events", response={200: ListingEventsPage, 422: Problem})
def listing_events(request: HttpRequest, after: str = "0", limit: int = 500):
    """Listing changes (stop-sell, relist, limited relist) after a cursor, oldest first. The
    cursor is stable and gap-free: an event never appears behind a cursor already handed out. Start
    with `after=0`; keep the `next` you get, also from an empty page."""
    if not after.isdigit() or len(after) > 19:
        raise InvalidInput(_("'after' must be a cursor from an earlier page, or 0."), field="after")
    if not 1 <= limit <= 1000:
        raise InvalidInput(_("'limit' must be between 1 and 1000."), field="limit")
    events, nxt = listing_events_after(after=int(after), limit=limit)
    return ListingEventsPage(events=[ListingEventOut(**e.__dict__) for e in events], next=str(nxt))

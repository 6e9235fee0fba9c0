"""Two books with stock and one order, for the tests: `python -m shop.seed` prints each
book's SKU, id and page. `order_place` places another order (tests call it through
`manage.py shell`)."""

from decimal import Decimal

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from oscar.apps.catalogue.models import Product, ProductClass  # noqa: E402
from oscar.apps.order.models import Line, Order  # noqa: E402
from oscar.apps.partner.models import Partner, StockRecord  # noqa: E402


def order_place(number: str, lines: dict[str, str]) -> None:
    """An order of one unit of each SKU in `lines`, each line with its Oscar status."""
    buyer, _ = get_user_model().objects.get_or_create(
        username="lin",
        defaults={"email": "lin@example.com", "first_name": "林", "last_name": "黛玉"},
    )
    order = Order.objects.create(
        number=number,
        user=buyer,
        currency="CNY",
        total_incl_tax=Decimal("59.00") * len(lines),
        total_excl_tax=Decimal("59.00") * len(lines),
        status="Pending",
    )
    for product in Product.objects.filter(upc__in=list(lines)).order_by("pk"):
        sr = product.stockrecords.get()
        Line.objects.create(
            order=order,
            partner=sr.partner,
            partner_name=sr.partner.name,
            partner_sku=sr.partner_sku,
            stockrecord=sr,
            product=product,
            title=product.title,
            upc=product.upc,
            quantity=1,
            line_price_incl_tax=Decimal("59.00"),
            line_price_excl_tax=Decimal("59.00"),
            line_price_before_discounts_incl_tax=Decimal("59.00"),
            line_price_before_discounts_excl_tax=Decimal("59.00"),
            unit_price_incl_tax=Decimal("59.00"),
            unit_price_excl_tax=Decimal("59.00"),
            status=lines[product.upc],
            num_allocated=1,
        )


if __name__ == "__main__":
    pc, _ = ProductClass.objects.get_or_create(name="Book", defaults={"track_stock": True})
    partner, _ = Partner.objects.get_or_create(name="Warehouse")
    # The second is the book of Andon's demo (`andon demo`), for the tests against Andon.
    for sku, title in [("9787020002207", "红楼梦"), ("9787549529322", "The demo's book")]:
        product, _ = Product.objects.get_or_create(
            upc=sku, defaults={"title": title, "product_class": pc}
        )
        StockRecord.objects.get_or_create(
            product=product,
            partner=partner,
            defaults={"partner_sku": sku, "price": Decimal("59.00"), "num_in_stock": 100},
        )
        print(sku, product.pk, product.get_absolute_url())
    # One order by a registered customer: the first book shipped, the demo's book placed.
    if not Order.objects.filter(number="100001").exists():
        order_place("100001", {"9787020002207": "Shipped", "9787549529322": ""})

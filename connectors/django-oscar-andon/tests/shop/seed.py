"""One book with stock, for the tests: `python -m shop.seed` prints its id."""

import django

django.setup()

from decimal import Decimal  # noqa: E402

from oscar.apps.catalogue.models import Product, ProductClass  # noqa: E402
from oscar.apps.partner.models import Partner, StockRecord  # noqa: E402

pc, _ = ProductClass.objects.get_or_create(name="Book", defaults={"track_stock": True})
partner, _ = Partner.objects.get_or_create(name="Warehouse")
# The second is the book of Andon's demo (`andon demo`), for the test against a real Andon.
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

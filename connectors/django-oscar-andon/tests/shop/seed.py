"""One book with stock, for the tests: `python -m shop.seed` prints its id."""

import django

django.setup()

from decimal import Decimal  # noqa: E402

from oscar.apps.catalogue.models import Product, ProductClass  # noqa: E402
from oscar.apps.partner.models import Partner, StockRecord  # noqa: E402

pc, _ = ProductClass.objects.get_or_create(name="Book", defaults={"track_stock": True})
product, _ = Product.objects.get_or_create(
    upc="9787020002207", defaults={"title": "红楼梦 Dream of the Red Chamber", "product_class": pc}
)
partner, _ = Partner.objects.get_or_create(name="Warehouse")
StockRecord.objects.get_or_create(
    product=product,
    partner=partner,
    defaults={"partner_sku": "9787020002207", "price": Decimal("59.00"), "num_in_stock": 100},
)
print(product.pk, product.get_absolute_url())

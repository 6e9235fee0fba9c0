from andon.core.errors import NotFound, UnknownReference


class ProductNotFound(NotFound):
    code = "product-not-found"


class UnknownProduct(UnknownReference):
    code = "unknown-product"


class UnknownWarehouse(UnknownReference):
    code = "unknown-warehouse"


class UnknownBatch(UnknownReference):
    code = "unknown-batch"

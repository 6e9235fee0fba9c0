"""Detection's background work on Django's tasks framework (database backend): the settling of
the products a large import touched, beyond what the import settles itself (services.
contacts_assign_imported, SETTLE_INLINE), run by any worker (`andon worker`, `andon serve`'s
thread, `db_worker`)."""

from __future__ import annotations

from django_tasks import task


@task()
def products_settle_task(product_ids: list[int]) -> dict[str, int]:
    from .settle import products_settle

    done = products_settle(product_ids)
    return {"products": done.products, "contacts": done.contacts, "moved": done.moved}

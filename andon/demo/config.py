"""What an admin configures before anyone pulls: departments, reason codes and their routing.

The print-defect wording is the one of tests/world.py, so that the demo and the story test
open the same work orders."""

from __future__ import annotations

from andon.contacts.models import ReasonCode, ReasonRoute
from andon.people.models import Department

DEPARTMENTS = [
    ("vendor-management", "供应商管理", "Vendor management"),
    ("warehouse-logistics", "仓储物流", "Warehouse & logistics"),
    ("catalog-content", "商品内容", "Catalog & content"),
    ("delivery", "配送", "Delivery"),
]

# code, zh, en, threshold, window days, safety-critical
REASONS = [
    ("print-defect", "印刷/装订缺陷", "Print defect", 2, 30, False),
    ("wrong-item", "发错货", "Wrong item", 2, 30, False),
    ("damaged-in-transit", "运输破损", "Damaged in transit", 2, 30, False),
    ("late-delivery", "配送延误", "Late delivery", 3, 14, False),
    ("missing-parts", "缺件/少配件", "Missing parts", 2, 30, False),
    ("description-mismatch", "与描述不符", "Not as described", 2, 30, False),
    ("safety-hazard", "安全隐患", "Safety hazard", 1, 30, True),
]

VENDOR = (
    "联系出版社和印厂，停止入库，检验并拒收不良批次：{title}（{sku}）",
    "Contact publisher and printer, stop inbound, inspect, reject bad batches: {title} ({sku})",
)
WAREHOUSE = (
    "开箱检验被扣库存和已打包订单：批次问题退回批次，单件问题修复单件",
    "Open and inspect held stock and packed orders: batch problem -> return the batch; "
    "single-unit problem -> fix the unit",
)
# reason -> [(department, sla hours, instruction zh, instruction en)]
ROUTES: dict[str, list[tuple[str, int, str, str]]] = {
    "print-defect": [("vendor-management", 24, *VENDOR), ("warehouse-logistics", 8, *WAREHOUSE)],
    "wrong-item": [
        (
            "warehouse-logistics",
            8,
            "核对{title}（{sku}）的库位与拣货记录，纠正错放商品",
            "Check bin locations and picking of {title} ({sku}); fix misplaced goods",
        ),
        (
            "catalog-content",
            24,
            "核对{title}（{sku}）的商品图片、条码与规格",
            "Check pictures, barcode and variants of {title} ({sku})",
        ),
    ],
    "damaged-in-transit": [
        (
            "delivery",
            24,
            "向承运商核实{title}（{sku}）的运输破损并索赔",
            "Investigate transit damage of {title} ({sku}) with the carrier and claim",
        ),
        (
            "warehouse-logistics",
            8,
            "检查{title}（{sku}）的包装规格，必要时加固",
            "Review the packing of {title} ({sku}); reinforce if needed",
        ),
    ],
    "late-delivery": [
        (
            "delivery",
            12,
            "排查{title}（{sku}）所在线路的延误原因",
            "Find why deliveries of {title} ({sku}) are late on its routes",
        ),
    ],
    "missing-parts": [
        (
            "vendor-management",
            24,
            "要求供应商说明{title}（{sku}）缺件原因并补发配件",
            "Ask the supplier why {title} ({sku}) ships incomplete; get the parts",
        ),
        (
            "warehouse-logistics",
            8,
            "抽检被扣库存，清点配件是否齐全",
            "Inspect held stock and count the parts in each unit",
        ),
    ],
    "description-mismatch": [
        (
            "catalog-content",
            24,
            "修正{title}（{sku}）的描述、尺寸与图片",
            "Correct the description, size and pictures of {title} ({sku})",
        ),
        (
            "vendor-management",
            48,
            "向供应商确认{title}（{sku}）的实际规格",
            "Confirm the real specification of {title} ({sku}) with the supplier",
        ),
    ],
    "safety-hazard": [
        (
            "vendor-management",
            4,
            "立即联系供应商，暂停{title}（{sku}）所有入库并要求检测报告",
            "Call the supplier now: stop all inbound of {title} ({sku}), ask for test reports",
        ),
        (
            "warehouse-logistics",
            4,
            "隔离全部库存和已打包订单，等待检测结论",
            "Quarantine all stock and packed orders until the test result",
        ),
        (
            "catalog-content",
            8,
            "在商品页补充安全提示，核对认证信息",
            "Add safety notes to the listing; verify its certifications",
        ),
    ],
}


def config_load() -> dict[str, Department]:
    departments = {
        code: Department.objects.create(code=code, name_zh=zh, name_en=en)
        for code, zh, en in DEPARTMENTS
    }
    reasons = {
        code: ReasonCode.objects.create(
            code=code,
            label_zh=zh,
            label_en=en,
            threshold=threshold,
            window_days=window,
            safety_critical=safety,
        )
        for code, zh, en, threshold, window, safety in REASONS
    }
    ReasonRoute.objects.bulk_create(
        ReasonRoute(
            reason=reasons[reason],
            department=departments[dept],
            sla_hours=sla,
            instruction_zh=zh,
            instruction_en=en,
        )
        for reason, routes in ROUTES.items()
        for dept, sla, zh, en in routes
    )
    return departments

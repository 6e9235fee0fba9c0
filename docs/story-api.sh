#!/usr/bin/env bash
# The story of the book with uncut pages, through the JSON API, against a running Andon with
# the demo data (`make demo`). Run it from the directory that holds the demo's database:
#   bash docs/story-api.sh            (ANDON_URL defaults to http://127.0.0.1:8000)
set -euo pipefail
ANDON=${ANDON:-.venv/bin/andon}
API=${ANDON_URL:-http://127.0.0.1:8000}/api/v1
BOOK=9787549529322

AG1=$($ANDON token create agent1); AG2=$($ANDON token create agent2)
VEN=$($ANDON token create vendor1); WH=$($ANDON token create warehouse1)
CF=$($ANDON token create confirmer1)

post() {  # TOKEN PATH [JSON]: every POST carries a fresh Idempotency-Key, as a client should
  curl -sS -X POST "$API$2" -H "Authorization: Bearer $1" -H 'Content-Type: application/json' \
    -H 'Accept-Language: en' -H "Idempotency-Key: story-$RANDOM-$RANDOM" -d "${3:-{\}}"
  echo
}
field() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

echo "# Customer A calls: recorded; one customer is not enough yet."
post "$AG1" /contacts '{"customer":"cust-a","order":"order-a","line_no":1,"reason":"print-defect","text":"100-101页未裁开"}'
echo "# Pulling now: 422 with the explanation, nothing written."
post "$AG1" /andons "{\"sku\":\"$BOOK\",\"reason\":\"print-defect\",\"note\":\"100-101页未裁开\"}"
echo "# Customer B reports the same problem: eligible."
post "$AG2" /contacts '{"customer":"cust-b","order":"order-b","line_no":1,"reason":"print-defect","text":"同样没裁开"}'
echo "# The pull: suppressed, stock and packed lines held, a work order per department."
PULL=$(post "$AG2" /andons "{\"sku\":\"$BOOK\",\"reason\":\"print-defect\",\"note\":\"100-101页未裁开\"}")
echo "$PULL"
ANDON_ID=$(echo "$PULL" | field 'd["id"]')
WO_VENDOR=$(echo "$PULL" | field '[w["id"] for w in d["work_orders"] if w["department"]=="vendor-management"][0]')
WO_WH=$(echo "$PULL" | field '[w["id"] for w in d["work_orders"] if w["department"]=="warehouse-logistics"][0]')
curl -sS "$API/products/$BOOK" -H "Authorization: Bearer $AG1"; echo
echo "# A second pull for the same reason joins the open andon."
post "$AG1" /andons "{\"sku\":\"$BOOK\",\"reason\":\"print-defect\",\"note\":\"又一位顾客反馈\"}"

echo "# The departments work their work orders."
post "$VEN" "/work-orders/$WO_VENDOR/start"
post "$VEN" "/work-orders/$WO_VENDOR/resolve" '{"findings":"印厂B1批次裁切故障","disposition":"return-to-vendor"}'
post "$WH" "/work-orders/$WO_WH/start"
post "$WH" "/work-orders/$WO_WH/resolve" '{"findings":"已开箱检验","disposition":"release"}'
echo "# The confirmer confirms both; the last confirmation relists the book."
post "$CF" "/work-orders/$WO_VENDOR/confirm"
post "$CF" "/work-orders/$WO_WH/confirm"
curl -sS "$API/products/$BOOK" -H "Authorization: Bearer $AG1"; echo
echo "# The andon's timeline, from the audit trail."
curl -sS "$API/andons/$ANDON_ID/timeline" -H "Authorization: Bearer $AG1"; echo

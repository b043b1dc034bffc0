-- wrk script: payment requests spread over the budget lines LINGJI_LINE_FROM..LINGJI_LINE_TO,
-- each with an idempotency key of its own (run, thread, count), as finance's bearer token.
local from = tonumber(os.getenv("LINGJI_LINE_FROM"))
local to = tonumber(os.getenv("LINGJI_LINE_TO"))
local run = os.getenv("LINGJI_RUN") or tostring(os.time())
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("LINGJI_TOKEN")

local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

local counter = 0
function request()
  counter = counter + 1
  local line = from + (counter % (to - from + 1))
  local body = string.format(
    '{"payee_name":"示范市办公用品有限公司","payee_account":"62220212345%05d","payee_kind":"unit",' ..
    '"amount":"100.00","economic_code":"30201","line_id":%d,"purpose":"采购办公用品",' ..
    '"date":"2026-03-%02d","contract_no":"HT-1","idempotency_key":"wrk-%s-%d-%d"}',
    counter % 1000, line, 2 + counter % 27, run, tid, counter)
  return wrk.format(nil, "/api/v1/payments", nil, body)
end

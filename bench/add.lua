-- SPDX-License-Identifier: MIT
-- wrk script for POST .../connection/add, used by bench/run.sh and
-- bench/memory.sh.
--
-- Every request carries a unique connection name, built from a run
-- prefix, the wrk thread number and a per-thread counter, because the
-- service returns 409 for a name it has already stored.
--
-- Environment:
--   BENCH_BODY                 request body file (default bench/add_body.json
--                              next to this script); it must contain the
--                              text "name":"bench" exactly once
--   BENCH_RUN_PREFIX           name prefix, unique per run (default: random)
--   BENCH_REQUESTS_PER_THREAD  when set, each thread stops after that many
--                              responses (wrk's -d stays the upper bound)
--
-- The done function prints one parseable line:
--   RESULT requests=N duration_us=D rps=R p50_us=A p90_us=B p99_us=C max_us=M
--          non2xx=E connect_errors=F read_errors=G write_errors=H timeouts=T

local name_marker = '"name":"bench"'

local counter = 0
local responses = 0
local quota = tonumber(os.getenv("BENCH_REQUESTS_PER_THREAD") or "") or 0
local body_head, body_tail, run_prefix

-- setup runs in the main Lua state once for each thread, before init.
local threads_created = 0
function setup(thread)
   threads_created = threads_created + 1
   thread:set("thread_number", threads_created)
end

local function script_dir()
   local source = debug.getinfo(1, "S").source
   return source:match("^@(.*/)") or "./"
end

local function read_body(path)
   local file, err = io.open(path, "rb")
   if not file then
      error("cannot open the request body file: " .. err)
   end
   local text = file:read("*a")
   file:close()
   return (text:gsub("%s+$", ""))
end

function init(args)
   local path = os.getenv("BENCH_BODY") or (script_dir() .. "add_body.json")
   local body = read_body(path)
   local first = body:find(name_marker, 1, true)
   if not first or body:find(name_marker, first + 1, true) then
      error(path .. " must contain " .. name_marker .. " exactly once")
   end
   body_head = body:sub(1, first - 1) .. '"name":"'
   body_tail = body:sub(first + #name_marker - 1)

   run_prefix = os.getenv("BENCH_RUN_PREFIX")
   if not run_prefix or run_prefix == "" then
      math.randomseed(os.time() + (thread_number or 0))
      run_prefix = string.format("r%08x", math.random(0, 0x7fffffff))
   end

   wrk.method = "POST"
   wrk.headers["Content-Type"] = "application/json"
   local authorization = os.getenv("BENCH_AUTHORIZATION")
   if authorization and authorization ~= "" then
      wrk.headers["Authorization"] = authorization
   end
end

function request()
   counter = counter + 1
   local name = run_prefix .. "-" .. (thread_number or 0) .. "-" .. counter
   return wrk.format(nil, nil, nil, body_head .. name .. body_tail)
end

-- Counting responses costs a little, so the function exists only when
-- BENCH_REQUESTS_PER_THREAD requests a fixed count.
if quota > 0 then
   function response(status, headers, body)
      responses = responses + 1
      if responses >= quota then
         wrk.thread:stop()
      end
   end
end

function done(summary, latency, requests)
   local errors = summary.errors
   local seconds = summary.duration / 1e6
   io.write(string.format(
      "RESULT requests=%d duration_us=%d rps=%.1f p50_us=%d p90_us=%d p99_us=%d max_us=%d "
         .. "non2xx=%d connect_errors=%d read_errors=%d write_errors=%d timeouts=%d\n",
      summary.requests, summary.duration, summary.requests / seconds,
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
      errors.status, errors.connect, errors.read, errors.write, errors.timeout))
end

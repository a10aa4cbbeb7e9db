-- replay.lua: wrk script for bench/registry. It replays requests from a
-- file written by the benchmark program, one request per line, cycling:
--
--   wrk ... -s replay.lua URL -- POST /v1/match bodies.txt   (a JSON body a line)
--   wrk ... -s replay.lua URL -- GET - paths.txt             (a path and query a line)
--
-- At the end it prints one line "WRKJSON {...}" with the counts and the
-- latency percentiles in microseconds, which the program parses.

local reqs = {}
local n = 0
local i = 0

function init(args)
  local method, path, file = args[1], args[2], args[3]
  local headers = { ["Content-Type"] = "application/json" }
  for line in io.lines(file) do
    if line ~= "" then
      if method == "GET" then
        reqs[#reqs + 1] = wrk.format("GET", line)
      else
        reqs[#reqs + 1] = wrk.format(method, path, headers, line)
      end
    end
  end
  n = #reqs
  -- Threads start at different places in the file.
  i = math.random(n) - 1
end

function request()
  i = i % n + 1
  return reqs[i]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%d,"duration_us":%d,"bytes":%d,"connect_errors":%d,"read_errors":%d,"write_errors":%d,"status_errors":%d,"timeouts":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end

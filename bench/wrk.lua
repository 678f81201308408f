-- wrk script: rotate over the URL paths in the file given after `--` (one per line), or hit
-- wrk's own URL when no file is given; print one machine-readable RESULT line at the end.
local paths = {}
local next_index = 1
local thread_count = 0

function setup(thread)
  -- Each thread starts at a different place in the list, so no URL is hot.
  thread:set("offset", thread_count * 97)
  thread_count = thread_count + 1
end

function init(args)
  if args[1] then
    for line in io.lines(args[1]) do
      if line ~= "" then table.insert(paths, line) end
    end
    next_index = (offset or 0) % #paths + 1
  end
end

function request()
  if #paths == 0 then return wrk.format("GET") end
  local path = paths[next_index]
  next_index = next_index % #paths + 1
  return wrk.format("GET", path)
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local errors = summary.errors
  io.write(string.format(
    "RESULT rps=%.1f p50_ms=%.1f p99_ms=%.1f requests=%d non2xx=%d socket_errors=%d\n",
    summary.requests / seconds, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.requests, errors.status, errors.connect + errors.read + errors.write + errors.timeout))
end

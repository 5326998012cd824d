-- wrk script: replay the requests of one load case from a file of tab-separated lines
-- (method, path, cookie, body). Usage: wrk -t1 ... -s replay.lua URL -- FILE MODE SKIP
-- MODE "cycle" replays the lines round and round (pages, saves). MODE "once" sends each line at most once,
-- starting after the first SKIP lines (facts that can only happen once: a lesson marked read, an attempt
-- submitted); running out is counted, so the run can refuse a figure made of repeated requests.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

local function split(line)
  local fields = {}
  for field in (line .. "\t"):gmatch("([^\t]*)\t") do
    table.insert(fields, field)
  end
  return fields
end

function init(args)
  mode = args[2] or "cycle"
  local skip = tonumber(args[3] or "0")
  lines, position, exhausted = {}, 0, 0
  local n = 0
  for line in io.lines(args[1]) do
    if n >= skip then
      table.insert(lines, split(line))
    end
    n = n + 1
  end
end

function request()
  position = position + 1
  if position > #lines then
    if mode == "once" then
      exhausted = exhausted + 1
    end
    position = 1
  end
  local line = lines[position]
  local headers = { ["Cookie"] = line[3], ["User-Agent"] = "lms-bench" }
  local body = nil
  if line[1] == "POST" then
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    body = line[4]
  end
  return wrk.format(line[1], line[2], headers, body)
end

function response(status, headers, body)
  if status >= 400 and failure == nil then
    failure = status .. " " .. string.sub(body or "", 1, 2000)
  end
end

function done(summary, latency, requests)
  local repeated = 0
  for _, thread in ipairs(threads) do
    repeated = repeated + (thread:get("exhausted") or 0)
    local failed = thread:get("failure")
    if failed then
      io.stderr:write("first failure: " .. failed .. "\n")
    end
  end
  io.write(string.format(
    '{"requests": %d, "seconds": %.6f, "p50_ms": %.3f, "p99_ms": %.3f, "errors": %d, "repeated": %d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status
      + summary.errors.timeout,
    repeated))
end

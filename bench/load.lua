-- Mixed traffic for bench/load.sh: page views of four roles, attendance ticks, the score
-- sheet of a held meeting, and sign-ins. Cookies and ids come from the environment.
local cookies = {
  bithu = os.getenv("COOKIE_BITHU"),
  dangvien = os.getenv("COOKIE_DANGVIEN"),
  phuong = os.getenv("COOKIE_PHUONG"),
}
local origin = os.getenv("ORIGIN")
local branch = os.getenv("BRANCH")
local ward = os.getenv("WARD")
local me = os.getenv("ME")
local meeting = os.getenv("MEETING")
local scored = os.getenv("SCORED")
local password = os.getenv("PW")
local members = {}
for m in string.gmatch(os.getenv("MEMBER_IDS") or "", "[^,]+") do members[#members + 1] = m end
local presences = { "present", "late", "absent_unexcused" }

local threads = {}
function setup(thread)
  thread:set("id", #threads + 1)
  threads[#threads + 1] = thread
end

function init(args)
  s5xx = 0
  s4xx = 0
  counter = 0
  math.randomseed(id * 7919)
end

local function get(path, who)
  return wrk.format("GET", path, { ["Cookie"] = cookies[who] })
end

local function post(path, who, body)
  local headers = {
    ["Origin"] = origin,
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }
  if who then headers["Cookie"] = cookies[who] end
  return wrk.format("POST", path, headers, body)
end

function request()
  counter = counter + 1
  local r = math.random(100)
  if r <= 3 then
    local who = ({ "bithu", "phuong", "dangvien" })[math.random(3)]
    return post("/login", nil, "username=" .. who .. "&password=" .. password)
  elseif r <= 35 then
    return get("/units/" .. branch, "bithu")
  elseif r <= 50 then
    return get("/members/" .. me, "dangvien")
  elseif r <= 62 then
    return get("/units/" .. ward, "phuong")
  elseif r <= 70 then
    return get("/meetings/" .. meeting .. "/attendance", "bithu")
  elseif r <= 90 then
    local m = members[math.random(#members)]
    local p = presences[math.random(#presences)]
    return post("/meetings/" .. meeting .. "/attendance/" .. m, "bithu", "presence=" .. p .. "&reason=")
  else
    return get("/meetings/" .. scored .. "/evaluation", "bithu")
  end
end

function response(status, headers, body)
  if status >= 500 then s5xx = s5xx + 1
  elseif status >= 400 then s4xx = s4xx + 1 end
end

function done(summary, latency, requests)
  local t5, t4 = 0, 0
  for _, t in ipairs(threads) do
    t5 = t5 + t:get("s5xx")
    t4 = t4 + t:get("s4xx")
  end
  io.write(string.format("mix: %d requests, %d 5xx, %d 4xx, p50 %.1f ms, p99 %.1f ms\n",
    summary.requests, t5, t4, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end

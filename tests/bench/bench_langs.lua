-- bench_langs.lua — the LuaJIT lines of `make bench-langs`: one field read of a Product record's
-- price through the raw ffi function (slots_get_f64 with a double[1] out-parameter) and through the
-- binding's field access, in ns/op, median of 5 repeats. Prints "label<TAB>ns/op" lines.
-- Usage: luajit bench_langs.lua [iterations]
local here = (debug.getinfo(1, "S").source:sub(2):match("^(.*)/[^/]*$")) or "."
package.path = here .. "/../../bindings/lua/?.lua;" .. package.path
local ffi = require("ffi")
local slots = require("slots")

ffi.cdef("struct bench_timespec { long tv_sec; long tv_nsec; }; int clock_gettime(int, struct bench_timespec *);")
local ts = ffi.new("struct bench_timespec")
local function now_ns()
    ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
    return tonumber(ts.tv_sec) * 1e9 + tonumber(ts.tv_nsec)
end

local iters = tonumber(arg[1]) or 20000000
local Product = slots.define("Product", "id: i64 key, name: str, price: f64 = 0")
local p = Product{ id = 1, name = "Widget", price = 9.99 }
local h = p[1]
local C = slots.C
local out = ffi.new("double[1]")

local function median(fn)
    local runs = {}
    fn(math.min(iters, 100000)) -- warm up (trace compilation)
    for r = 1, 5 do
        local t0 = now_ns()
        fn(iters)
        runs[r] = (now_ns() - t0) / iters
    end
    table.sort(runs)
    return runs[3]
end

local sink = 0
local raw = median(function(n)
    local s = 0
    for _ = 1, n do
        C.slots_get_f64(h, 2, out)
        s = s + out[0]
    end
    sink = sink + s
end)
local prop = median(function(n)
    local s = 0
    for _ = 1, n do s = s + p.price end
    sink = sink + s
end)
if sink ~= sink then io.stderr:write("unexpected NaN\n") end
print(string.format("%s (ffi, raw call)\t%.2f", jit.version, raw))
print(string.format("%s (record.price)\t%.2f", jit.version, prop))

-- slots.lua — libslots for LuaJIT: compact, schema-defined records whose fields live in C.
--
--   local slots = require("slots")
--   local Product = slots.define("Product", "id: i64 key, name: str, price: f64 = 0")
--   local p = Product{ id = 1, name = "Widget" }   -- or Product(1, "Widget"), fields in order
--   p.price = 9.99                -- typed and range-checked, in C
--   local _ = p.age               -- error: 'Product' object has no attribute 'age'
--   local s = slots.Store(Product)
--   s:load_jsonl('{"id": 1, "name": "a"}\n')  ; s:load_jsonl_file("items.jsonl")
--   #s ; s[1].name ; for i, rec in ipairs(s) do ... end ; s:find(1) ; s:sum("price")
--
-- Declarations come from slots.cdef (generated from include/slots.h; where it is looked for: see
-- "loading" below), passed whole to ffi.cdef.
-- A record is a table holding its handle at [1] and its owner at [2] (field names are identifiers,
-- so they never collide: a store, a finalizer cdata, or false) with its class as metatable: reads
-- and writes of fields go through __index/__newindex closures, one C call each. A store is a cdata
-- (see Store below). Values: booleans, numbers (64-bit integers beyond 2^53 come back as int64_t /
-- uint64_t cdata, and such cdata are accepted), strings (str and bytes fields), records (refs), and
-- nil for null: reading a null field gives nil, assigning nil sets null (slots.del unsets a field).
-- Failures raise an error object with .message (the library's words), .code ("SLOTS_ENOATTR") and
-- .status; tostring() of it is the message.

local ffi = require("ffi")
local bit = require("bit")

local M = {}
local EXPECTED_MAJOR = 1

-- ---- loading ----------------------------------------------------------------------------------

local function script_dir()
    local src = debug.getinfo(1, "S").source
    if src:sub(1, 1) == "@" then
        return (src:sub(2):match("^(.*)/[^/]*$") or ".")
    end
    return "."
end

local function exists(path)
    local f = io.open(path, "rb")
    if f then f:close() return true end
    return false
end

-- The first of the paths (nil entries allowed) that names a readable file.
local function first_existing(...)
    for i = 1, select("#", ...) do
        local p = select(i, ...)
        if p and exists(p) then return p end
    end
    return nil
end

-- Where the ABI description (slots.cdef) and the library are looked for, first found wins:
--   1. SLOTS_CDEF / SLOTS_LIBRARY (environment);
--   2. slots.cdef next to this file (a vendored copy);
--   3. the repository this file is in (development): ffi/slots.cdef, build/libslots.so.1;
--   4. the install this file is part of ($PREFIX/share/lua/5.1/slots.lua -> $PREFIX/share/libslots/),
--      then /usr/local/share/libslots/ and /usr/share/libslots/ (`make install`, the -dev package);
--      the library by its soname, libslots.so.1, through the system's loader (ldconfig,
--      LD_LIBRARY_PATH).
local here = script_dir()
local cdef_places = {
    os.getenv("SLOTS_CDEF") or false, here .. "/slots.cdef", here .. "/../../ffi/slots.cdef",
    here .. "/../../libslots/slots.cdef", "/usr/local/share/libslots/slots.cdef", "/usr/share/libslots/slots.cdef",
}
local cdef_path = nil
for _, place in ipairs(cdef_places) do
    if place and exists(place) then cdef_path = place break end
end
if not cdef_path then
    local tried = {}
    for _, place in ipairs(cdef_places) do if place then tried[#tried + 1] = place end end
    error("slots: the ABI description slots.cdef was not found (install libslots with `make install`, "
        .. "or set SLOTS_CDEF); looked in: " .. table.concat(tried, ", "), 2)
end
do
    local f = assert(io.open(cdef_path, "rb"))
    local text = f:read("*a")
    f:close()
    ffi.cdef(text)
end

local library_path = os.getenv("SLOTS_LIBRARY")
    or first_existing(here .. "/../../build/libslots.so.1")
    or "libslots.so.1"
local loaded_ok, C = pcall(ffi.load, library_path)
if not loaded_ok then
    error("slots: cannot load the library " .. library_path .. " (" .. tostring(C) .. "): install libslots "
        .. "(`make install`; a prefix outside the loader's paths also needs LD_LIBRARY_PATH) or set SLOTS_LIBRARY", 2)
end
M.cdef_path = cdef_path

local version_number = C.slots_version_number()
if math.floor(version_number / 10000) ~= EXPECTED_MAJOR then
    error(string.format("slots: %s is version %s, this binding needs major %d", library_path,
        ffi.string(C.slots_version()), EXPECTED_MAJOR), 2)
end
M.version = ffi.string(C.slots_version())
M.version_number = version_number
M.library_path = library_path
M.C = C -- the raw functions and the cdef's constants (C.SLOTS_F64), for benchmarks and advanced use

local OK, NULL = C.SLOTS_OK, C.SLOTS_NULL
local K = {
    BOOL = C.SLOTS_BOOL, I8 = C.SLOTS_I8, I16 = C.SLOTS_I16, I32 = C.SLOTS_I32, I64 = C.SLOTS_I64,
    U8 = C.SLOTS_U8, U16 = C.SLOTS_U16, U32 = C.SLOTS_U32, U64 = C.SLOTS_U64, F32 = C.SLOTS_F32,
    F64 = C.SLOTS_F64, STR = C.SLOTS_STR, BYTES = C.SLOTS_BYTES, REF = C.SLOTS_REF,
}

-- ---- errors -----------------------------------------------------------------------------------

local Error = {}
Error.__index = Error
Error.__tostring = function(e) return e.message end
M.Error = Error

local function strerror(status) return ffi.string(C.slots_strerror(status)) end

local function make_error(status, message)
    return setmetatable({ status = status, code = strerror(status), message = message }, Error)
end

-- Raises the error of a failed call with the library's message (per thread: read at once).
local function fail(status)
    local m = C.slots_errmsg()
    local msg = m ~= nil and ffi.string(m) or ""
    if msg == "" then msg = strerror(status) end
    error(make_error(status, msg), 3)
end

local function check(status)
    if status < 0 then fail(status) end
    return status
end

-- True if `e` (from pcall) is a slots error; with `code`, also that it has that status name.
function M.is_error(e, code)
    return getmetatable(e) == Error and (code == nil or e.code == code)
end

-- The error object the binding raises for `status` (a negative SLOTS_ code; SLOTS_EBUSY gives code
-- "SLOTS_EBUSY"), with `message` or the status name: for code that calls M.C directly.
function M.error_for(status, message)
    return make_error(status, message or strerror(status))
end

-- ---- scratch out-parameters (a Lua state runs one thread at a time) ----------------------------

local out_obj = ffi.new("slots_obj[1]")
local out_i64 = ffi.new("int64_t[1]")
local out_u64 = ffi.new("uint64_t[1]")
local out_f64 = ffi.new("double[1]")
local out_int = ffi.new("int[1]")
local out_ptr = ffi.new("const char *[1]")
local out_vptr = ffi.new("const void *[1]")
local out_len = ffi.new("size_t[1]")
local out_len2 = ffi.new("size_t[1]")
local out_type = ffi.new("slots_type *[1]")
local out_ctype = ffi.new("const slots_type *[1]")
local out_store = ffi.new("slots_store *[1]")
local err_line, err_column, err_offset = ffi.new("size_t[1]"), ffi.new("size_t[1]"), ffi.new("size_t[1]")
local err_field = ffi.new("const char *[1]")

local TWO53 = 2 ^ 53
local TWO63 = 2 ^ 63
local TWO64 = 2 ^ 64
local I64_MIN = ffi.new("int64_t", -9223372036854775807LL - 1)
local i64_ct = ffi.typeof("int64_t")
local u64_ct = ffi.typeof("uint64_t")

-- Integer C arguments, checked here before the ffi converts them: a Lua number that does not fit
-- an int64_t, uint64_t or size_t parameter is wrapped or undefined there (s:at(2^64 + 1) was
-- s:at(1), set_i64 of 2^63 stored INT64_MIN), and a fraction is truncated. Every user integer
-- bound for such a parameter goes through c_int. [lo, hi) as doubles, and whether an int64_t /
-- uint64_t cdata fits.
local SIZE_BITS = 8 * ffi.sizeof("size_t")
local C_LIMITS = {
    i64 = { lo = -TWO63, hi = TWO63, i64 = true, u64 = false },
    u64 = { lo = 0, hi = TWO64, i64 = false, u64 = true },
    size_t = { lo = 0, hi = 2 ^ SIZE_BITS, i64 = false, u64 = SIZE_BITS == 64 },
}
local I64_MAX_U = 0x7fffffffffffffffULL

local function lua_type_name(v)
    local t = type(v)
    if t == "number" then return (v == math.floor(v) and v == v and v ~= math.huge and v ~= -math.huge) and "int" or "float" end
    if t == "boolean" then return "bool" end
    if t == "string" then return "str" end
    if t == "cdata" then return tostring(ffi.typeof(v)) end
    return t
end

-- `v` (an integral Lua number or int64_t/uint64_t cdata) when it fits C type `kind` ("i64", "u64",
-- "size_t"); raises SLOTS_ETYPE for other values, SLOTS_ERANGE (naming `what`) when it does not fit.
local function c_int(v, kind, what, level)
    local lim = C_LIMITS[kind]
    local fits
    if type(v) == "number" then
        if v ~= math.floor(v) or v - v ~= 0 then
            error(make_error(C.SLOTS_ETYPE, what .. " must be an integer, not " .. lua_type_name(v)), level or 3)
        end
        fits = v >= lim.lo and v < lim.hi
    elseif type(v) == "cdata" and ffi.istype(i64_ct, v) then
        fits = lim.i64 or v >= 0
    elseif type(v) == "cdata" and ffi.istype(u64_ct, v) then
        fits = lim.u64 or (kind == "i64" and v <= I64_MAX_U)
    else
        error(make_error(C.SLOTS_ETYPE, what .. " must be an integer, not " .. lua_type_name(v)), level or 3)
    end
    if not fits then
        error(make_error(C.SLOTS_ERANGE, string.format("%s %s does not fit in %s", what,
            type(v) == "number" and string.format("%.17g", v) or tostring(v), kind)), level or 3)
    end
    return v
end

-- A 64-bit integer as a Lua number when exact, else as the cdata.
local function int_value(v)
    local n = tonumber(v)
    if n >= -TWO53 and n <= TWO53 then return n end
    return v
end

-- ---- types and record classes ------------------------------------------------------------------

local classes = {} -- type address -> class
local Record = {}  -- methods every record has (a field of the same name shadows one)
M.Record = Record

local function type_key(t) return tonumber(ffi.cast("uintptr_t", t)) end

local function kind_name(kind)
    local s = C.slots_kind_name(kind)
    return s ~= nil and ffi.string(s) or tostring(kind)
end

local wrap -- forward: handle -> record table

local function is_int_kind(k) return k >= K.I8 and k <= K.U64 end

local function put_int(cls, h, i, v)
    -- v: a Lua number (integral) or int64/uint64 cdata
    if type(v) == "cdata" then
        if ffi.istype(u64_ct, v) then return C.slots_set_u64(h, i, v) end
        return C.slots_set_i64(h, i, v)
    end
    if v >= -TWO63 and v < TWO63 then return C.slots_set_i64(h, i, v) end
    if v >= TWO63 and v < TWO64 then return C.slots_set_u64(h, i, v) end
    error(make_error(C.SLOTS_ERANGE, string.format("value %.17g out of range for field '%s' (%s)",
        v, cls.names[i + 1], kind_name(cls.kinds[i + 1]))), 3)
end

-- Sets field i (0-based) from any Lua value: the setter is picked by the value, and the library
-- words the refusal of a value of the wrong kind.
local function put(cls, h, i, v)
    local kind = cls.kinds[i + 1]
    local t = type(v)
    if t == "number" then
        if is_int_kind(kind) and v == math.floor(v) and v - v == 0 then return put_int(cls, h, i, v) end
        return C.slots_set_f64(h, i, v)
    elseif t == "string" then
        if kind == K.BYTES then return C.slots_set_bytes(h, i, v, #v) end
        return C.slots_set_str(h, i, v, #v)
    elseif t == "boolean" then
        return C.slots_set_bool(h, i, v and 1 or 0)
    elseif t == "nil" then
        return C.slots_set_null(h, i)
    elseif t == "table" and getmetatable(v) and getmetatable(v).__slots then
        return C.slots_set_ref(h, i, v[1])
    elseif t == "cdata" and (ffi.istype(i64_ct, v) or ffi.istype(u64_ct, v)) then
        return put_int(cls, h, i, v)
    end
    error(make_error(C.SLOTS_ETYPE, string.format("%s.%s must be %s, not %s", cls.name, cls.names[i + 1],
        kind_name(kind), lua_type_name(v))), 3)
end

local function get_status(st)
    if st == NULL then return nil end
    fail(st)
end

-- A getter closure for field i (0-based) of `kind`: one C call.
local function make_getter(kind, i)
    if kind == K.F64 or kind == K.F32 then
        return function(h)
            local st = C.slots_get_f64(h, i, out_f64)
            if st == OK then return out_f64[0] end
            return get_status(st)
        end
    elseif kind == K.BOOL then
        return function(h)
            local st = C.slots_get_bool(h, i, out_int)
            if st == OK then return out_int[0] ~= 0 end
            return get_status(st)
        end
    elseif kind == K.I64 then
        return function(h)
            local st = C.slots_get_i64(h, i, out_i64)
            if st == OK then return int_value(out_i64[0]) end
            return get_status(st)
        end
    elseif kind == K.U64 then
        return function(h)
            local st = C.slots_get_u64(h, i, out_u64)
            if st == OK then return int_value(out_u64[0]) end
            return get_status(st)
        end
    elseif is_int_kind(kind) then
        return function(h)
            local st = C.slots_get_i64(h, i, out_i64)
            if st == OK then return tonumber(out_i64[0]) end
            return get_status(st)
        end
    elseif kind == K.STR then
        return function(h)
            local st = C.slots_get_str(h, i, out_ptr, out_len)
            if st == OK then return ffi.string(out_ptr[0], out_len[0]) end
            return get_status(st)
        end
    elseif kind == K.BYTES then
        return function(h)
            local st = C.slots_get_bytes(h, i, out_vptr, out_len)
            if st == OK then return ffi.string(out_vptr[0], out_len[0]) end
            return get_status(st)
        end
    elseif kind == K.REF then
        return function(h)
            local st = C.slots_get_ref(h, i, out_obj)
            if st == OK then return wrap(out_obj[0]) end
            return get_status(st)
        end
    end
    error("slots: unknown kind " .. tostring(kind))
end

local function field_index(cls, name)
    local i = cls.index[name]
    if i then return i end
    return check(C.slots_field_index(cls.type, tostring(name)))
end

-- Extras of dynamic types.
local function extra_get(h, name)
    check(C.slots_extra_kind(h, name, out_int))
    local kind, st = out_int[0], nil
    if kind == 0 then return nil
    elseif kind == K.BOOL then st = C.slots_extra_get_bool(h, name, out_int); if st == OK then return out_int[0] ~= 0 end
    elseif kind == K.I64 then st = C.slots_extra_get_i64(h, name, out_i64); if st == OK then return int_value(out_i64[0]) end
    elseif kind == K.U64 then st = C.slots_extra_get_u64(h, name, out_u64); if st == OK then return int_value(out_u64[0]) end
    elseif kind == K.F64 then st = C.slots_extra_get_f64(h, name, out_f64); if st == OK then return out_f64[0] end
    elseif kind == K.STR then st = C.slots_extra_get_str(h, name, out_ptr, out_len); if st == OK then return ffi.string(out_ptr[0], out_len[0]) end
    elseif kind == K.BYTES then st = C.slots_extra_get_bytes(h, name, out_vptr, out_len); if st == OK then return ffi.string(out_vptr[0], out_len[0]) end
    elseif kind == K.REF then st = C.slots_extra_get_ref(h, name, out_obj); if st == OK then return wrap(out_obj[0]) end
    else error(make_error(C.SLOTS_EINVAL, "extra '" .. name .. "' holds unknown kind " .. kind), 3) end
    return get_status(st)
end

local function extra_set(h, name, v)
    local t = type(v)
    local st
    if t == "boolean" then st = C.slots_extra_set_bool(h, name, v and 1 or 0)
    elseif t == "number" then
        if v == math.floor(v) and v >= -TWO63 and v < TWO63 then st = C.slots_extra_set_i64(h, name, v)
        else st = C.slots_extra_set_f64(h, name, v) end
    elseif t == "string" then st = C.slots_extra_set_str(h, name, v, #v)
    elseif t == "nil" then st = C.slots_extra_set_null(h, name)
    elseif t == "table" and getmetatable(v) and getmetatable(v).__slots then st = C.slots_extra_set_ref(h, name, v[1])
    elseif t == "cdata" and ffi.istype(u64_ct, v) then st = C.slots_extra_set_u64(h, name, v)
    elseif t == "cdata" and ffi.istype(i64_ct, v) then st = C.slots_extra_set_i64(h, name, v)
    else
        error(make_error(C.SLOTS_ETYPE, string.format("extra attribute '%s' cannot hold %s", name, lua_type_name(v))), 3)
    end
    check(st)
end

local function class_for(t)
    local key = type_key(t)
    local known = classes[key]
    if known then return known end
    -- A string from the library is valid only until the next libslots call: copy it at once.
    local tname = C.slots_type_name(t)
    if tname == nil then fail(C.SLOTS_EINVAL) end
    tname = ffi.string(tname)
    local n = check(C.slots_type_nfields(t))
    local cls = {
        __slots = true, type = ffi.cast("slots_type *", t), name = tname,
        flags = check(C.slots_type_flags(t)), names = {}, kinds = {}, field_flags = {}, index = {},
        getters = {},
    }
    local base = C.slots_type_base(t)
    cls.base = base ~= nil and class_for(base) or nil
    for i = 0, n - 1 do
        local name = ffi.string(C.slots_field_name(t, i))
        local kind = check(C.slots_field_kind(t, i))
        cls.names[i + 1], cls.kinds[i + 1] = name, kind
        cls.field_flags[i + 1] = check(C.slots_field_flags(t, i))
        cls.index[name] = i
        cls.getters[name] = make_getter(kind, i)
    end
    local getters, index, dynamic = cls.getters, cls.index, bit.band(cls.flags, C.SLOTS_DYNAMIC) ~= 0

    cls.__index = function(rec, k)
        local g = getters[k]
        if g then return g(rec[1]) end
        local m = Record[k]
        if m then return m end
        if type(k) ~= "string" then return nil end
        if dynamic then return extra_get(rec[1], k) end
        check(C.slots_field_index(cls.type, k)) -- raises the library's AttributeError message
    end
    cls.__newindex = function(rec, k, v)
        local i = index[k]
        if i then
            local st = put(cls, rec[1], i, v)
            if st ~= OK then fail(st) end
            return
        end
        if type(k) == "string" and dynamic then return extra_set(rec[1], k, v) end
        check(C.slots_field_index(cls.type, tostring(k)))
        error(make_error(C.SLOTS_ENOATTR, "cannot set " .. tostring(k)), 2)
    end
    cls.__tostring = function(rec) return rec:repr() end
    cls.__eq = function(a, b) return a:equals(b) end

    classes[key] = cls
    -- Calling the class makes a record: Product{ id = 1 } by name, Product(1, "a") by position.
    return setmetatable(cls, { __call = function(c, ...) return c.new(...) end, __tostring = function()
        return "<slots class " .. cls.name .. ">"
    end, __index = {
        -- A new record, then defaults fill the fields not given. One plain table argument sets
        -- fields by name (new{ id = 1 }); otherwise the arguments are the fields in order, as in
        -- Python (new(1, "a"); a nil sets null). Freed by the GC (or now, with rec:free()).
        new = function(...)
            local n, values = select("#", ...), ...
            local by_name = n == 1 and type(values) == "table" and not getmetatable(values)
            if not by_name and n > #cls.names then
                error(make_error(C.SLOTS_ETYPE, string.format("%s() takes %d positional arguments but %d were given",
                    cls.name, #cls.names, n)), 2)
            end
            local args = { ... }
            check(C.slots_new_blank(cls.type, out_obj))
            local h = out_obj[0]
            local rec = setmetatable({ h, false }, cls)
            local ok, err = pcall(function()
                if by_name then
                    for k, v in pairs(values) do rec:set(k, v) end
                else
                    for i = 1, n do rec:set(cls.names[i], args[i]) end
                end
                check(C.slots_fill_defaults(h))
            end)
            if not ok then
                C.slots_free(h)
                error(err, 2)
            end
            rec[2] = ffi.gc(ffi.new("slots_obj[1]", h), function(c) C.slots_free(c[0]) end)
            return rec
        end,
        -- A new record from one JSON object. Strict: a missing field without a default is an error,
        -- unless opts.lenient (the key is still required).
        from_json = function(text, opts)
            local flags = (opts and opts.lenient) and C.SLOTS_LOAD_LENIENT or 0
            check(C.slots_from_json_flags(cls.type, text, #text, flags, out_obj))
            local rec = wrap(out_obj[0])
            rec[2] = ffi.gc(ffi.new("slots_obj[1]", rec[1]), function(c) C.slots_free(c[0]) end)
            return rec
        end,
        -- Live records of exactly this type, in every store.
        live_count = function()
            check(C.slots_type_count(cls.type, out_len))
            return tonumber(out_len[0])
        end,
        -- The fields: { {name=, kind=, optional=, readonly=, key=, default=}, ... }
        fields = function()
            local list = {}
            for i, name in ipairs(cls.names) do
                local fl = cls.field_flags[i]
                local d = C.slots_field_default(cls.type, i - 1)
                d = d ~= nil and ffi.string(d) or nil -- copied before kind_name calls the library
                list[i] = {
                    name = name, kind = kind_name(cls.kinds[i]),
                    optional = bit.band(fl, C.SLOTS_FIELD_OPTIONAL) ~= 0,
                    readonly = bit.band(fl, C.SLOTS_FIELD_READONLY) ~= 0,
                    key = bit.band(fl, C.SLOTS_FIELD_KEY) ~= 0,
                    default = d,
                }
            end
            return list
        end,
    } })
end

-- A record table for handle h (not owned: its store or another owner frees it).
wrap = function(h, store)
    check(C.slots_type_of(h, out_ctype))
    return setmetatable({ h, store or false }, class_for(out_ctype[0]))
end

-- Defines (or redefines) a type from a field list; returns its class. opts: { base = Class,
-- frozen = true, dynamic = true }.
function M.define(name, fields, opts)
    opts = opts or {}
    local flags = 0
    if opts.frozen then flags = bit.bor(flags, C.SLOTS_FROZEN) end
    if opts.dynamic then flags = bit.bor(flags, C.SLOTS_DYNAMIC) end
    local base = opts.base and opts.base.type or nil
    check(C.slots_type_define(name, fields, base, flags, out_type))
    return class_for(out_type[0])
end

-- The class of the type a name is bound to now.
function M.find_type(name)
    local t = C.slots_type_find(name)
    if t == nil then fail(C.slots_errcode()) end
    return class_for(t)
end

-- ---- record methods (rec:method(...)) ----------------------------------------------------------

local function cls_of(rec) return getmetatable(rec) end

function Record.handle(rec) return rec[1] end

function Record.get(rec, name)
    local cls = cls_of(rec)
    local i = field_index(cls, name)
    return cls.getters[cls.names[i + 1]](rec[1])
end

function Record.set(rec, name, v)
    local cls = cls_of(rec)
    local st = put(cls, rec[1], field_index(cls, name), v)
    if st ~= OK then fail(st) end
    return rec
end

function Record.del(rec, name) check(C.slots_del(rec[1], field_index(cls_of(rec), name))) end
function Record.is_set(rec, name) return check(C.slots_is_set(rec[1], field_index(cls_of(rec), name))) == 1 end

local function typed_get(rec, name, call, value)
    local st = call(rec[1], field_index(cls_of(rec), name))
    if st == OK then return value() end
    return get_status(st)
end

function Record.get_bool(rec, n) return typed_get(rec, n, function(h, i) return C.slots_get_bool(h, i, out_int) end, function() return out_int[0] ~= 0 end) end
function Record.get_i64(rec, n) return typed_get(rec, n, function(h, i) return C.slots_get_i64(h, i, out_i64) end, function() return out_i64[0] end) end
function Record.get_u64(rec, n) return typed_get(rec, n, function(h, i) return C.slots_get_u64(h, i, out_u64) end, function() return out_u64[0] end) end
function Record.get_f64(rec, n) return typed_get(rec, n, function(h, i) return C.slots_get_f64(h, i, out_f64) end, function() return out_f64[0] end) end
function Record.get_str(rec, n) return typed_get(rec, n, function(h, i) return C.slots_get_str(h, i, out_ptr, out_len) end, function() return ffi.string(out_ptr[0], out_len[0]) end) end
function Record.get_bytes(rec, n) return typed_get(rec, n, function(h, i) return C.slots_get_bytes(h, i, out_vptr, out_len) end, function() return ffi.string(out_vptr[0], out_len[0]) end) end
function Record.set_bool(rec, n, v) check(C.slots_set_bool(rec[1], field_index(cls_of(rec), n), v and 1 or 0)) end
function Record.set_i64(rec, n, v) check(C.slots_set_i64(rec[1], field_index(cls_of(rec), n), c_int(v, "i64", "value"))) end
function Record.set_u64(rec, n, v) check(C.slots_set_u64(rec[1], field_index(cls_of(rec), n), c_int(v, "u64", "value"))) end
function Record.set_f64(rec, n, v) check(C.slots_set_f64(rec[1], field_index(cls_of(rec), n), v)) end
function Record.set_str(rec, n, v) v = tostring(v); check(C.slots_set_str(rec[1], field_index(cls_of(rec), n), v, #v)) end
function Record.set_bytes(rec, n, v) check(C.slots_set_bytes(rec[1], field_index(cls_of(rec), n), v, #v)) end
function Record.set_null(rec, n) check(C.slots_set_null(rec[1], field_index(cls_of(rec), n))) end

-- Frees the record now: every table naming it then gets SLOTS_ESTALE.
function Record.free(rec)
    check(C.slots_free(rec[1]))
    if type(rec[2]) == "cdata" and not M.is_store(rec[2]) then ffi.gc(rec[2], nil) end -- its own finalizer
    rec[2] = false
end

function Record.copy(rec)
    check(C.slots_copy(rec[1], out_obj))
    local c = wrap(out_obj[0])
    c[2] = ffi.gc(ffi.new("slots_obj[1]", c[1]), function(x) C.slots_free(x[0]) end)
    return c
end

function Record.equals(a, b)
    if type(b) ~= "table" or not (getmetatable(b) and getmetatable(b).__slots) then return false end
    return check(C.slots_equal(a[1], b[1])) == 1
end

-- Python-style repr: Product(id=1, name='Widget', price=9.99)
function Record.repr(rec)
    check(C.slots_repr(rec[1], out_ptr, out_len))
    return ffi.string(out_ptr[0], out_len[0])
end

function Record.to_json(rec)
    check(C.slots_to_json(rec[1], out_ptr, out_len))
    return ffi.string(out_ptr[0], out_len[0])
end

-- ---- stores -----------------------------------------------------------------------------------

local Store = {} -- the methods of a store (s:len(), s:find(k), ...)

-- A store is a cdata, not a table: LuaJIT (without its 5.2 extensions) ignores __len and __ipairs
-- on tables, so only a cdata can give `#s` and `ipairs(s)`. It holds the library's pointer (NULL
-- once dropped); its class lives in `store_class`, keyed by the store (weak: gone with it).
ffi.cdef("typedef struct slots_lua_store { slots_store *ptr; } slots_lua_store;")
local store_class = setmetatable({}, { __mode = "k" })

-- A store's pointer is dropped by its finalizer (a running call holds the store, so the GC never
-- drops one under a call). A finalizer must not raise: if the library finds the store busy
-- (SLOTS_EBUSY) the drop is retried when the next store is made or dropped; what is left is freed
-- by process exit.
local undropped = {}

local function drop_later(s)
    local p = s.ptr
    if p ~= nil and C.slots_store_drop(p) == C.SLOTS_EBUSY then
        undropped[#undropped + 1] = p
    end
end

local function retry_drops()
    while #undropped > 0 do
        local p = table.remove(undropped)
        if C.slots_store_drop(p) == C.SLOTS_EBUSY then
            undropped[#undropped + 1] = p
            return
        end
    end
end

-- The record at 1-based position i, or nil outside 1..#s: s[i] reads a store as a Lua sequence.
local function store_item(s, i)
    if i ~= math.floor(i) or i < 1 or i > s:len() then return nil end
    check(C.slots_store_at(s.ptr, i - 1, out_obj))
    return wrap(out_obj[0], s)
end

-- ipairs(s): (i, record) for i = 1..#s, in position order.
local function store_ipairs_step(s, i)
    local rec = store_item(s, i + 1)
    if rec ~= nil then return i + 1, rec end
end

local StoreType = ffi.metatype("slots_lua_store", {
    __index = function(s, k)
        if type(k) == "number" then return store_item(s, k) end
        if k == "cls" then return store_class[s] end
        return Store[k]
    end,
    __newindex = function(_, k)
        error(make_error(C.SLOTS_ETYPE, "a store's records cannot be assigned (" .. tostring(k)
            .. "): use s:append() or s:remove()"), 2)
    end,
    __len = function(s) return s:len() end,
    __ipairs = function(s) return store_ipairs_step, s, 0 end,
    __tostring = function(s)
        local cls = store_class[s]
        if s.ptr == nil then return "<slots.Store of " .. cls.name .. ", dropped>" end
        return string.format("<slots.Store of %s, %d records>", cls.name, s:len())
    end,
})

-- True if `v` is a store from slots.Store().
function M.is_store(v) return type(v) == "cdata" and ffi.istype(StoreType, v) end

-- An empty store of records of class `cls`; dropped by the GC or by s:drop(). It reads as a
-- sequence of its records: #s, s[i] (1-based; nil outside 1..#s), ipairs(s).
function M.Store(cls)
    if type(cls) ~= "table" or not cls.__slots then
        error(make_error(C.SLOTS_EINVAL, "Store needs a class from slots.define()"), 2)
    end
    retry_drops()
    check(C.slots_store_new(cls.type, out_store))
    local s = StoreType(out_store[0])
    store_class[s] = cls
    return ffi.gc(s, drop_later)
end

local function sptr(s)
    if s.ptr == nil then error(make_error(C.SLOTS_ESTALE, "the store was dropped"), 3) end
    return s.ptr
end

function Store.len(s)
    check(C.slots_store_len(sptr(s), out_len))
    return tonumber(out_len[0])
end

-- The record at position i, counting from 1 (negative counts from the end). Positions in its
-- errors count from 1 too (the library counts from 0).
function Store.at(s, i)
    if type(i) ~= "number" or i ~= math.floor(i) or i - i ~= 0 then
        error(make_error(C.SLOTS_ETYPE, "store index must be an integer, not " .. lua_type_name(i)), 2)
    end
    if i > 0 then c_int(i, "size_t", "store index") end
    local n = s:len()
    local pos = i > 0 and i - 1 or n + i
    if i == 0 or pos < 0 or pos >= n then
        error(make_error(C.SLOTS_EINDEX, string.format("store index %.17g out of range (%d records)", i, n)), 2)
    end
    check(C.slots_store_at(sptr(s), pos, out_obj))
    return wrap(out_obj[0], s)
end

-- The status of finding `key` (a number, int64/uint64 cdata or string), the handle in out_obj[0];
-- raises (at the caller's caller) for a key of the wrong kind, and for one beyond 64 bits unless
-- `absent` (then no key can equal it: SLOTS_ENOKEY).
local function store_lookup(s, key, absent)
    local p = sptr(s)
    local t = type(key)
    if t == "string" then
        return C.slots_store_find_str(p, key, #key, out_obj)
    elseif t == "number" and key == math.floor(key) then
        if key >= TWO64 or key < -TWO63 then
            if absent then return C.SLOTS_ENOKEY end
            error(make_error(C.SLOTS_ERANGE, string.format("store key %.17g out of range", key)), 3)
        elseif key >= TWO63 then return C.slots_store_find_u64(p, key, out_obj) end
        return C.slots_store_find_i64(p, key, out_obj)
    elseif t == "cdata" and ffi.istype(u64_ct, key) then
        return C.slots_store_find_u64(p, key, out_obj)
    elseif t == "cdata" and ffi.istype(i64_ct, key) then
        return C.slots_store_find_i64(p, key, out_obj)
    end
    error(make_error(C.SLOTS_ETYPE, "store key must be an integer or a string, not " .. lua_type_name(key)), 3)
end

-- The record whose key equals `key`; an error (code SLOTS_ENOKEY) when there is none.
function Store.find(s, key)
    check(store_lookup(s, key))
    return wrap(out_obj[0], s)
end

-- The record whose key equals `key`, or nil when there is none (as a table lookup); a key of the
-- wrong kind is still an error.
function Store.get(s, key)
    local st = store_lookup(s, key, true)
    if st == C.SLOTS_ENOKEY then return nil end
    check(st)
    return wrap(out_obj[0], s)
end

-- Whether a record's key equals `key`.
function Store.has(s, key) return s:get(key) ~= nil end

-- Removes the record whose key equals `key`: true if there was one, false if not.
function Store.delete(s, key)
    local st = store_lookup(s, key, true)
    if st == C.SLOTS_ENOKEY then return false end
    check(st)
    check(C.slots_store_remove(sptr(s), out_obj[0]))
    return true
end

-- Appends a record (defaults, then `values`).
function Store.append(s, values)
    check(C.slots_store_append(sptr(s), out_obj))
    local rec = wrap(out_obj[0], s)
    if values then
        local ok, err = pcall(function() for k, v in pairs(values) do rec:set(k, v) end end)
        if not ok then
            C.slots_store_remove(s.ptr, rec[1])
            error(err, 2)
        end
    end
    return rec
end

function Store.remove(s, rec) check(C.slots_store_remove(sptr(s), rec[1])) end

-- The errors of the store's last load: { {line=, column=, offset=, field= (nil if none), message=}, ... };
-- with skip_bad the first few skipped rows, after a failed load the error that stopped it.
function Store.load_errors(s)
    local list = {}
    check(C.slots_store_load_error_list(sptr(s), nil, out_len))
    for i = 0, tonumber(out_len[0]) - 1 do
        check(C.slots_store_load_error_get(s.ptr, i, err_line, err_column, err_offset, err_field, out_ptr))
        local field = ffi.string(err_field[0])
        list[#list + 1] = { line = tonumber(err_line[0]), column = tonumber(err_column[0]),
            offset = tonumber(err_offset[0]), field = field ~= "" and field or nil, message = ffi.string(out_ptr[0]) }
    end
    return list
end

-- How many skipped rows a skip_bad load keeps in load_errors() (default 10).
function Store.set_load_error_limit(s, n) check(C.slots_store_set_load_error_limit(sptr(s), n)) end

-- A failed load raises its error with the entry of the load-error list that is this failure (none when
-- the load failed before it reached the store): line, column, offset, field and errors.
local function load_failure(s, status)
    local m = C.slots_errmsg()
    local e = make_error(status, m ~= nil and ffi.string(m) or strerror(status))
    local mine = {}
    for _, x in ipairs(Store.load_errors(s)) do
        if e.message == x.message or e.message == ("line " .. x.line .. ": " .. x.message) then mine[#mine + 1] = x end
    end
    local first = mine[1] or {}
    e.line = first.line or tonumber(e.message:match("line (%d+)"))
    e.column, e.offset, e.field, e.errors = first.column, first.offset, first.field, mine
    error(e, 3)
end

-- Runs one load: `call(p, flags)` is the library's load on store pointer p; returns loaded,
-- skipped and (when rows were skipped) the errors text.
local function load(s, call, opts)
    local flags = bit.bor((opts and opts.skip_bad) and C.SLOTS_LOAD_SKIP_BAD or 0,
                          (opts and opts.lenient) and C.SLOTS_LOAD_LENIENT or 0)
    local status = call(sptr(s), flags)
    if status < 0 then load_failure(s, status) end
    local loaded, skipped = tonumber(out_len[0]), tonumber(out_len2[0])
    local errors
    if skipped > 0 then errors = ffi.string(C.slots_store_load_errors(s.ptr)) end
    return loaded, skipped, errors
end

-- The source of a load must be a string; what it is (text or a path) is the method's name, never
-- guessed from its contents.
local function source_string(v, what)
    if type(v) ~= "string" then
        error(make_error(C.SLOTS_ETYPE, what .. " must be a string, not " .. lua_type_name(v)), 3)
    end
    return v
end

local function load_text(s, fn, text, opts)
    source_string(text, "text")
    return load(s, function(p, flags) return fn(p, text, #text, flags, out_len, out_len2) end, opts)
end

local function load_file(s, fn, path, opts)
    source_string(path, "path")
    return load(s, function(p, flags) return fn(p, path, flags, out_len, out_len2) end, opts)
end

-- Loads JSON Lines / CSV; all or nothing unless opts.skip_bad; opts.lenient leaves fields without a
-- default unset. Returns loaded, skipped, errors. load_jsonl/load_csv take the text itself;
-- load_jsonl_file/load_csv_file take a path (a file the library reads to its end).
function Store.load_jsonl(s, text, opts) return load_text(s, C.slots_store_load_jsonl, text, opts) end
function Store.load_csv(s, text, opts) return load_text(s, C.slots_store_load_csv, text, opts) end
function Store.load_jsonl_file(s, path, opts) return load_file(s, C.slots_store_load_jsonl_file, path, opts) end
function Store.load_csv_file(s, path, opts) return load_file(s, C.slots_store_load_csv_file, path, opts) end

-- Raises the error of a failed dump, the record it names counted from 1 as in s[i].
local function dump_failure(status)
    local m = C.slots_errmsg()
    local msg = m ~= nil and ffi.string(m) or strerror(status)
    msg = msg:gsub("^record at position (%d+):", function(pos) return "record at position " .. (pos + 1) .. ":" end)
    error(make_error(status, msg), 3)
end

local function dump_text(s, fn)
    local st = fn(sptr(s), out_ptr, out_len)
    if st < 0 then dump_failure(st) end
    return ffi.string(out_ptr[0], out_len[0])
end

local function dump_file(s, fn, path)
    source_string(path, "path")
    local st = fn(sptr(s), path)
    if st < 0 then dump_failure(st) end
end

-- The records as JSON Lines / CSV text; the _file forms write it to a path instead.
function Store.dump_jsonl(s) return dump_text(s, C.slots_store_dump_jsonl) end
function Store.dump_csv(s) return dump_text(s, C.slots_store_dump_csv) end
function Store.dump_jsonl_file(s, path) dump_file(s, C.slots_store_dump_jsonl_file, path) end
function Store.dump_csv_file(s, path) dump_file(s, C.slots_store_dump_csv_file, path) end

-- The sum of a numeric field's set values (exact for integer fields).
function Store.sum(s, field)
    local i = field_index(s.cls, field)
    if is_int_kind(s.cls.kinds[i + 1]) then
        check(C.slots_store_sum_i64(sptr(s), i, out_i64))
        return int_value(out_i64[0])
    end
    check(C.slots_store_aggregate(sptr(s), i, nil, out_f64, nil, nil))
    return out_f64[0]
end

-- Iterates the records: for rec in s:records() do ... end
function Store.records(s)
    local cursor = ffi.new("size_t[1]")
    local h = ffi.new("slots_obj[1]")
    return function()
        local st = C.slots_store_next(sptr(s), cursor, h)
        if st == C.SLOTS_EINDEX then return nil end
        check(st)
        return wrap(h[0], s)
    end
end

function Store.clear(s) check(C.slots_store_clear(sptr(s))) end

-- Frees the store and its records now (their tables then get SLOTS_ESTALE). A SLOTS_EBUSY error,
-- and nothing changes, when the store is busy (inside its own load).
function Store.drop(s)
    local p = sptr(s)
    check(C.slots_store_drop(p))
    s.ptr = nil -- the finalizer then has nothing to drop
    retry_drops()
end

return M

'use strict';
// libslots for Node.js: compact, schema-defined records whose fields live in C, through koffi.
//
//   const slots = require('libslots');
//   const Product = slots.defineType('Product', 'id: i64 key, name: str, price: f64 = 0');
//   const p = new Product(1, 'Widget');   // or new Product({ id: 1, name: 'Widget' })
//   p.price = 9.99;                       // typed, range-checked, in C
//   p.age;                                // Error: 'Product' object has no attribute 'age'
//   const s = new slots.Store(Product);
//   s.loadJsonl('{"id": 1, "name": "a"}\n');  s.get(1).name;  s[0];  s.sum('price');
//
// A record object holds only its handle (a BigInt); each field is an own enumerable accessor (the
// class's shared getter/setter, also on its prototype) making one C call. Unknown attributes reach a Proxy at the end of the prototype chain,
// which raises the library's own message (and serves extra attributes of dynamic types).
// Failures are JS errors carrying the library's message, `code` (the status name, "SLOTS_ERANGE")
// and `status` (its number): TypeError for ETYPE/ELAYOUT, RangeError for ERANGE/EINDEX, Error else.

const fs = require('fs');
const path = require('path');
const util = require('util');
const koffi = require('koffi');
const cdef = require('./lib/cdef');
const arrowC = require('./lib/arrow');

const EXPECTED_MAJOR = 1;

// ---- loading ------------------------------------------------------------------------------------
//
// The library: SLOTS_LIBRARY, else (inside the libslots repository) its build/libslots.so.1, else
// libslots.so.1 through the system loader (ldconfig's cache, LD_LIBRARY_PATH).
// The ABI description (slots.cdef): SLOTS_CDEF, else the repository's ffi/slots.cdef, else the one
// installed with the library that was loaded (<prefix>/share/libslots/ next to <prefix>/lib/), else
// /usr/local/share/libslots/ or /usr/share/libslots/, else the copy shipped in this package (made by
// `npm pack`; a library installed without its cdef, as a runtime-only system package, still loads).

// The repository root when this is bindings/node of a libslots checkout (development), else null.
function repoRoot() {
    const root = path.resolve(__dirname, '..', '..');
    const inRepo = path.join(root, 'bindings', 'node') === __dirname &&
        fs.existsSync(path.join(root, 'ffi', 'slots.cdef')) && fs.existsSync(path.join(root, 'include', 'slots.h'));
    return inRepo ? root : null;
}

function libraryPath(root) {
    if (process.env.SLOTS_LIBRARY) return process.env.SLOTS_LIBRARY;
    const inTree = root && path.join(root, 'build', 'libslots.so.1');
    if (inTree && fs.existsSync(inTree)) return inTree;
    return 'libslots.so.1';
}

// The file the loader mapped for libslots (where a soname was found), or null where /proc is absent.
function loadedFile() {
    try {
        const maps = fs.readFileSync('/proc/self/maps', 'utf8');
        const m = /\s(\/\S*\/libslots\.so[.\d]*)$/m.exec(maps);
        return m ? m[1] : null;
    } catch (e) {
        return null;
    }
}

function cdefPath(root, libFile) {
    const candidates = [
        process.env.SLOTS_CDEF,
        root && path.join(root, 'ffi', 'slots.cdef'),
        libFile && path.resolve(path.dirname(libFile), '..', 'share', 'libslots', 'slots.cdef'),
        '/usr/local/share/libslots/slots.cdef',
        '/usr/share/libslots/slots.cdef',
        path.join(__dirname, 'slots.cdef'),
    ];
    for (const p of candidates) if (p && fs.existsSync(p)) return p;
    throw new Error(`libslots: slots.cdef not found (looked in ${candidates.filter(Boolean).join(', ')}; ` +
        'set SLOTS_CDEF)');
}

const ROOT = repoRoot();
const LIBRARY = libraryPath(ROOT);
let lib;
try {
    lib = koffi.load(LIBRARY);
} catch (e) {
    throw new Error(`libslots: cannot load ${LIBRARY} (${e.message}); install libslots (make install, ` +
        'or the libslots1 package) or set SLOTS_LIBRARY to the library file');
}
const LIBRARY_FILE = loadedFile();
const CDEF = cdefPath(ROOT, LIBRARY_FILE);
const { constants: C, prototypes } = cdef.parse(fs.readFileSync(CDEF, 'utf8'));
const { fns: F, unbound } = cdef.bind(lib, prototypes);

for (const name of ['slots_version_number', 'slots_errmsg', 'slots_strerror', 'slots_type_define',
    'slots_get_f64', 'slots_store_load_jsonl']) {
    if (!F[name]) throw new Error(`libslots: cannot bind ${name}: ${unbound[name] || 'not in the cdef'}`);
}
const VERSION_NUMBER = F.slots_version_number();
if (Math.floor(VERSION_NUMBER / 10000) !== EXPECTED_MAJOR) {
    throw new Error(`libslots: ${LIBRARY} is version ${F.slots_version()}, this binding needs major ` +
        `${EXPECTED_MAJOR}`);
}

// ---- errors -------------------------------------------------------------------------------------

// SLOTS_EBUSY (-15) is a plain Error with code 'SLOTS_EBUSY' (a cdef older than the status lacks it).
if (C.SLOTS_EBUSY === undefined) C.SLOTS_EBUSY = -15;

function errorClass(status) {
    switch (status) {
        case C.SLOTS_ETYPE: case C.SLOTS_ELAYOUT: return TypeError;
        case C.SLOTS_ERANGE: case C.SLOTS_EINDEX: return RangeError;
        case C.SLOTS_EBUSY: return Error; // the store is busy (its own load, a drop): nothing changed
        default: return Error;
    }
}

function makeError(status, message) {
    const Ctor = errorClass(status);
    const e = new Ctor(message);
    e.code = F.slots_strerror(status);
    e.status = status;
    if (status === C.SLOTS_ECANCELED) e.name = 'AbortError'; // a stopped load, named as Node names one
    return e;
}

// The error for a failed call, with the library's message (read at once: it is per thread).
function failure(status) {
    return makeError(status, F.slots_errmsg() || F.slots_strerror(status));
}

function check(status) {
    if (status < 0) throw failure(status);
    return status;
}

// A failed load's error, with the entry of the store's load-error list that is this failure (none
// when the load failed before it reached the store): line, column, offset, field and errors.
function loadFailure(e, errors) {
    const mine = errors.filter((x) => e.message === x.message || e.message === `line ${x.line}: ${x.message}`);
    const first = mine[0] || {};
    const m = /\bline (\d+)/.exec(e.message);
    e.line = first.line !== undefined ? first.line : m ? Number(m[1]) : null;
    e.column = first.column !== undefined ? first.column : null;
    e.offset = first.offset !== undefined ? first.offset : null;
    e.field = first.field !== undefined ? first.field : null;
    e.errors = mine;
    return e;
}

// ---- scratch out-parameters (JS runs one thread per isolate; each worker loads its own copy) ----

const outU64 = new BigUint64Array(1);
const outI64 = new BigInt64Array(1);
const outF64 = new Float64Array(1);
const outI32 = new Int32Array(1);
const outPtr = new BigUint64Array(1);
const outLen = new BigUint64Array(1);
const outLen2 = new BigUint64Array(1);
const errLine = new BigUint64Array(1);
const errColumn = new BigUint64Array(1);
const errOffset = new BigUint64Array(1);
const errField = new BigUint64Array(1);
const errCount = new BigUint64Array(1);

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;
const U64_MAX = (1n << 64n) - 1n;
const SIZE_MAX = (1n << BigInt(8 * koffi.sizeof('size_t'))) - 1n;

// Integer C arguments, checked here before koffi converts them: koffi wraps what does not fit
// (s.at(2 ** 64) was s.at(0), slots_set_i64(h, i, 2n ** 63n) stored INT64_MIN). Every user integer
// bound for an int64_t, uint64_t or size_t parameter goes through cInt.
const C_LIMITS = { i64: [I64_MIN, I64_MAX], u64: [0n, U64_MAX], size_t: [0n, SIZE_MAX] };

/** `v` (a Number, BigInt or integer string) as a BigInt that fits C type `kind` ('i64', 'u64',
 * 'size_t'); TypeError for a non-integer, RangeError (code SLOTS_ERANGE) when it does not fit. */
function cInt(v, kind, what) {
    let b;
    try {
        b = BigInt(v);
    } catch (e) {
        throw new TypeError(`${what} must be an integer, not ${jsTypeName(v)}`);
    }
    const [lo, hi] = C_LIMITS[kind];
    if (b < lo || b > hi) throw makeError(C.SLOTS_ERANGE, `${what} ${v} does not fit in ${kind} (${lo}..${hi})`);
    return b;
}

// 64-bit integers read back as Numbers when exact, else as BigInts.
function intValue(v) {
    return v >= -MAX_SAFE && v <= MAX_SAFE ? Number(v) : v;
}

// A NUL-terminated string the library owns, read at its address.
function cString(ptr) {
    return ptr ? koffi.decode(ptr, 'char', -1) : '';
}

function utf8(ptr, len) {
    return len === 0 ? '' : Buffer.from(koffi.view(ptr, len)).toString('utf8');
}

function bytesCopy(ptr, len) {
    return len === 0 ? Buffer.alloc(0) : Buffer.from(new Uint8Array(koffi.view(ptr, len)));
}

// ---- kinds --------------------------------------------------------------------------------------

const K = {
    BOOL: C.SLOTS_BOOL, I8: C.SLOTS_I8, I16: C.SLOTS_I16, I32: C.SLOTS_I32, I64: C.SLOTS_I64,
    U8: C.SLOTS_U8, U16: C.SLOTS_U16, U32: C.SLOTS_U32, U64: C.SLOTS_U64, F32: C.SLOTS_F32,
    F64: C.SLOTS_F64, STR: C.SLOTS_STR, BYTES: C.SLOTS_BYTES, REF: C.SLOTS_REF,
};
const isIntKind = (k) => k >= K.I8 && k <= K.U64;
const isFloatKind = (k) => k === K.F32 || k === K.F64;

function jsTypeName(v) {
    if (v === null) return 'null';
    if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
    if (typeof v === 'bigint') return 'int';
    if (typeof v === 'boolean') return 'bool';
    if (typeof v === 'string') return 'str';
    if (typeof v === 'object') return v.constructor && v.constructor.name ? v.constructor.name : 'object';
    return typeof v;
}

// ---- types and record classes -------------------------------------------------------------------

const H = Symbol('slots.handle');   // a record's handle (BigInt)
const OWNER = Symbol('slots.owner'); // the Store whose record this is, or null (then owned by the object)
const KEEP = Symbol('slots.keep');   // ref targets kept alive by this record object
const INFO = Symbol('slots.info');   // on a class's prototype: what the class knows of its C type

const classes = new Map(); // type pointer (BigInt) -> record class
const freeOnGC = new FinalizationRegistry((h) => { F.slots_free(h); });

// Setting a value of any JS type into field `idx`: picks the setter by the value, and lets the
// library word the refusal of a value of the wrong kind.
function put(info, h, idx, v) {
    const kind = info.kinds[idx];
    switch (typeof v) {
        case 'number':
            if (isIntKind(kind) && Number.isInteger(v)) return putInt(info, h, idx, BigInt(v));
            return F.slots_set_f64(h, idx, v);
        case 'bigint':
            return putInt(info, h, idx, v);
        case 'boolean':
            return F.slots_set_bool(h, idx, v ? 1 : 0);
        case 'string': {
            const b = Buffer.from(v, 'utf8');
            return F.slots_set_str(h, idx, b, b.length);
        }
        case 'object':
            if (v === null) return F.slots_set_null(h, idx);
            if (v instanceof Record) return F.slots_set_ref(h, idx, v[H]);
            if (ArrayBuffer.isView(v)) {
                const b = Buffer.from(v.buffer, v.byteOffset, v.byteLength);
                return F.slots_set_bytes(h, idx, b, b.length);
            }
            if (v instanceof ArrayBuffer) return F.slots_set_bytes(h, idx, Buffer.from(v), v.byteLength);
            break;
        default:
            break;
    }
    throw makeError(C.SLOTS_ETYPE, `${info.name}.${info.names[idx]} must be ${F.slots_kind_name(kind)}, ` +
        `not ${jsTypeName(v)}`);
}

function putInt(info, h, idx, v) {
    if (v >= I64_MIN && v <= I64_MAX) return F.slots_set_i64(h, idx, v);
    if (v > I64_MAX && v <= U64_MAX) return F.slots_set_u64(h, idx, v);
    throw makeError(C.SLOTS_ERANGE, `value ${v} out of range for field '${info.names[idx]}' ` +
        `(${F.slots_kind_name(info.kinds[idx])})`);
}

// Reads field `idx` as the JS value of its kind.
function fetch(info, h, idx) {
    let st;
    switch (info.kinds[idx]) {
        case K.BOOL:
            st = F.slots_get_bool(h, idx, outI32);
            return st === 0 ? outI32[0] !== 0 : status(st);
        case K.I8: case K.I16: case K.I32: case K.U8: case K.U16: case K.U32:
            st = F.slots_get_i64(h, idx, outI64);
            return st === 0 ? Number(outI64[0]) : status(st);
        case K.I64:
            st = F.slots_get_i64(h, idx, outI64);
            return st === 0 ? intValue(outI64[0]) : status(st);
        case K.U64:
            st = F.slots_get_u64(h, idx, outU64);
            return st === 0 ? intValue(outU64[0]) : status(st);
        case K.F32: case K.F64:
            st = F.slots_get_f64(h, idx, outF64);
            return st === 0 ? outF64[0] : status(st);
        case K.STR:
            st = F.slots_get_str(h, idx, outPtr, outLen);
            return st === 0 ? utf8(outPtr[0], Number(outLen[0])) : status(st);
        case K.BYTES:
            st = F.slots_get_bytes(h, idx, outPtr, outLen);
            return st === 0 ? bytesCopy(outPtr[0], Number(outLen[0])) : status(st);
        case K.REF:
            st = F.slots_get_ref(h, idx, outU64);
            return st === 0 ? wrapHandle(outU64[0], null) : status(st);
        default:
            throw makeError(C.SLOTS_EINVAL, `unknown kind ${info.kinds[idx]}`);
    }
}

// A getter's non-zero status: null for SLOTS_NULL (an optional field holding null), undefined for
// SLOTS_EUNSET (a field with no value reads as an absent property does, so that spread and
// structuredClone of a record with unset fields work), else the error.
function status(st) {
    if (st === C.SLOTS_NULL) return null;
    if (st === C.SLOTS_EUNSET) return undefined;
    throw failure(st);
}

function makeAccessor(info, idx) {
    const kind = info.kinds[idx];
    let get;
    // The common numeric kinds get a getter of their own: one C call, no dispatch.
    if (kind === K.F64 || kind === K.F32) {
        get = function () {
            const st = F.slots_get_f64(this[H], idx, outF64);
            return st === 0 ? outF64[0] : status(st);
        };
    } else if (kind === K.I64) {
        get = function () {
            const st = F.slots_get_i64(this[H], idx, outI64);
            return st === 0 ? intValue(outI64[0]) : status(st);
        };
    } else {
        get = function () { return fetch(info, this[H], idx); };
    }
    const set = function (v) {
        const st = put(info, this[H], idx, v);
        if (st !== 0) throw failure(st);
        if (kind === K.REF) keep(this, idx, v);
    };
    return { get, set, enumerable: true, configurable: false };
}

// A ref does not own its target; the JS object that set it keeps the target's JS object (and so a
// record it owns) alive.
function keep(rec, idx, target) {
    if (!rec[KEEP]) Object.defineProperty(rec, KEEP, { value: new Map() });
    if (target === null) rec[KEEP].delete(idx);
    else rec[KEEP].set(idx, target);
}

// The record class for a C type (made once per type).
function classFor(tptr) {
    const known = classes.get(tptr);
    if (known) return known;
    const name = F.slots_type_name(tptr);
    if (name === null) throw failure(C.SLOTS_EINVAL);
    const n = check(F.slots_type_nfields(tptr));
    const basePtr = F.slots_type_base(tptr);
    const Base = basePtr ? classFor(basePtr) : Record;
    const info = {
        type: tptr, name, flags: check(F.slots_type_flags(tptr)), names: [], kinds: [], fieldFlags: [],
        index: new Map(),
    };
    for (let i = 0; i < n; i++) {
        info.names.push(F.slots_field_name(tptr, i));
        info.kinds.push(check(F.slots_field_kind(tptr, i)));
        info.fieldFlags.push(check(F.slots_field_flags(tptr, i)));
        info.index.set(info.names[i], i);
    }
    // A class named as the type, without evaluating text.
    const cls = { [name]: class extends Base {} }[name];
    Object.defineProperty(cls.prototype, INFO, { value: info });
    // Each field is an own, enumerable accessor of every record (see ownFields), so Object.keys,
    // spread, for...in and structuredClone see the fields; the prototype has the same ones for
    // objects made without them.
    info.descriptors = info.names.map((field, i) => [field, makeAccessor(info, i)]);
    for (const [field, d] of info.descriptors) Object.defineProperty(cls.prototype, field, d);
    classes.set(tptr, cls);
    return cls;
}

// Gives a new record object its fields as own accessors (the shared getter/setter functions of its
// class, defined in one order, so records of a type share one hidden class). This is most of the cost
// of a record object (about 0.2 us a field; a loop of defineProperty is twice as fast as
// defineProperties): bulk numeric reads should use Store#column.
// The handle and owner are not enumerable, so a spread copies the fields and nothing else.
function ownFields(rec, info, h, owner) {
    const d = info.descriptors;
    for (let i = 0; i < d.length; i++) Object.defineProperty(rec, d[i][0], d[i][1]);
    Object.defineProperty(rec, H, { value: h, writable: true });
    Object.defineProperty(rec, OWNER, { value: owner, writable: true });
}

function wrapHandle(h, owner) {
    check(F.slots_type_of(h, outPtr));
    const cls = classFor(outPtr[0]);
    const rec = Object.create(cls.prototype);
    ownFields(rec, cls.prototype[INFO], h, owner);
    return rec;
}

function infoOf(rec) {
    const info = rec[INFO];
    if (!info) throw new TypeError('not a libslots record');
    return info;
}

function fieldIndex(info, name) {
    const i = info.index.get(name);
    if (i !== undefined) return i;
    return check(F.slots_field_index(info.type, String(name))); // throws with the library's message
}

/**
 * Defines (or redefines) a record type from a field list and returns its record class.
 * options: { base: RecordClass, frozen: bool, dynamic: bool }.
 */
function defineType(name, fields, options = {}) {
    let flags = 0;
    if (options.frozen) flags |= C.SLOTS_FROZEN;
    if (options.dynamic) flags |= C.SLOTS_DYNAMIC;
    const base = options.base ? options.base.prototype[INFO].type : null;
    check(F.slots_type_define(String(name), String(fields), base, flags, outPtr));
    return classFor(outPtr[0]);
}

/** The record class of the type the name is bound to now; throws (SLOTS_ENOATTR) if none. */
function findType(name) {
    const t = F.slots_type_find(String(name));
    if (!t) throw failure(F.slots_errcode());
    return classFor(t);
}

// ---- records ------------------------------------------------------------------------------------

// Typed access to field `name` through one C call (plain functions, not private methods: records
// made by wrapHandle, such as a store's, are not constructed by the class and lack its brand).
function typedGet(rec, name, call, value) {
    const st = call(rec[H], fieldIndex(infoOf(rec), name));
    return st === 0 ? value() : status(st);
}

function typedPut(rec, name, call) { check(call(rec[H], fieldIndex(infoOf(rec), name))); }

// A plain object ({...} or Object.create(null)): the named values of a constructor call. No field
// kind takes one as its value, so it never stands for a positional argument.
function isPlainObject(v) {
    if (v === null || typeof v !== 'object') return false;
    const proto = Object.getPrototypeOf(v);
    return proto === Object.prototype || proto === null;
}

// The constructor's arguments as [field name, value] pairs, as Python binds Product(1, 'a',
// price=2): positional values in field order, then at most one plain object of values by name. Too
// many positional values, or a field given twice, is a TypeError in Python's words.
function constructorValues(info, args) {
    let named = null;
    let n = args.length === 1 && args[0] === undefined ? 0 : args.length; // new T(undefined): new T()
    if (n > 0 && isPlainObject(args[n - 1])) named = args[--n];
    if (n > info.names.length) {
        throw new TypeError(`${info.name}() takes at most ${info.names.length} positional arguments but ` +
            `${n} were given`);
    }
    const pairs = [];
    for (let i = 0; i < n; i++) pairs.push([info.names[i], args[i]]);
    if (named) {
        for (const key of Object.keys(named)) {
            const i = info.index.get(key);
            if (i !== undefined && i < n) {
                throw new TypeError(`${info.name}() got multiple values for argument '${key}'`);
            }
            pairs.push([key, named[key]]);
        }
    }
    return pairs;
}

class Record {
    /** A new record: positional values in field order (`new Product(1, 'a')`), then optionally one
     * plain object of values by name (`new Product(1, { price: 2 })`, `new Product({ id: 1 })`);
     * defaults fill the fields not given, the rest stay unset. */
    constructor(...args) {
        const info = new.target.prototype[INFO];
        if (!info) throw new TypeError('Record is abstract: use slots.defineType()');
        const values = constructorValues(info, args); // refuses bad arguments before anything is made
        check(F.slots_new_blank(info.type, outU64));
        const h = outU64[0];
        ownFields(this, info, h, null);
        try {
            for (const [key, v] of values) this.set(key, v);
            check(F.slots_fill_defaults(h));
        } catch (e) {
            F.slots_free(h);
            throw e;
        }
        freeOnGC.register(this, h, this);
    }

    /** The record's handle (a BigInt), valid for every libslots call. */
    get handle() { return this[H]; }

    static get typeName() { return this.prototype[INFO].name; }

    /** The fields: [{ name, kind, optional, readonly, key, default }]. */
    static get fields() {
        const info = this.prototype[INFO];
        return info.names.map((name, i) => ({
            name,
            kind: F.slots_kind_name(info.kinds[i]),
            optional: (info.fieldFlags[i] & C.SLOTS_FIELD_OPTIONAL) !== 0,
            readonly: (info.fieldFlags[i] & C.SLOTS_FIELD_READONLY) !== 0,
            key: (info.fieldFlags[i] & C.SLOTS_FIELD_KEY) !== 0,
            default: F.slots_field_default(info.type, i),
        }));
    }

    /** The type's Arrow schema (slots_type_export_schema): an apache-arrow Schema when the
     * apache-arrow module is passed, else a plain { format, name, nullable, metadata, children }.
     * options.flags: constants.SLOTS_ARROW_LARGE, ... */
    static arrowSchema(arrow, options = {}) {
        const type = this.prototype[INFO].type;
        return arrowC.typeSchema((flags, p) => check(F.slots_type_export_schema(type, flags, p)), options.flags || 0, arrow);
    }

    /** Live records of exactly this type, in every store. */
    static liveCount() {
        check(F.slots_type_count(this.prototype[INFO].type, outLen));
        return Number(outLen[0]);
    }

    /** A new record of this class from one JSON object (string or Buffer). Strict: a missing field
     * without a default is an error, unless { lenient: true } (the key is still required). */
    static fromJSON(json, options = {}) {
        const b = Buffer.isBuffer(json) ? json : Buffer.from(String(json), 'utf8');
        const flags = options.lenient ? C.SLOTS_LOAD_LENIENT : 0;
        check(F.slots_from_json_flags(this.prototype[INFO].type, b, b.length, flags, outU64));
        const rec = wrapHandle(outU64[0], null);
        freeOnGC.register(rec, rec[H], rec);
        return rec;
    }

    /** Field `name` by name (the same as rec[name], with the library's error for an unknown name). */
    get(name) { const info = infoOf(this); return fetch(info, this[H], fieldIndex(info, name)); }

    /** Sets field `name`. */
    set(name, value) {
        const info = infoOf(this);
        const idx = fieldIndex(info, name);
        const st = put(info, this[H], idx, value);
        if (st !== 0) throw failure(st);
        if (info.kinds[idx] === K.REF) keep(this, idx, value);
        return this;
    }

    /** Returns field `name` to unset (Python's `del rec.name`). */
    del(name) { const info = infoOf(this); check(F.slots_del(this[H], fieldIndex(info, name))); }

    /** Whether field `name` has a value (null counts as one). */
    isSet(name) { const info = infoOf(this); return check(F.slots_is_set(this[H], fieldIndex(info, name))) === 1; }

    // Typed access: the setter of exactly one C kind family, whatever the JS value.
    getBool(name) { return typedGet(this, name, (h, i) => F.slots_get_bool(h, i, outI32), () => outI32[0] !== 0); }
    getI64(name) { return typedGet(this, name, (h, i) => F.slots_get_i64(h, i, outI64), () => outI64[0]); }
    getU64(name) { return typedGet(this, name, (h, i) => F.slots_get_u64(h, i, outU64), () => outU64[0]); }
    getF64(name) { return typedGet(this, name, (h, i) => F.slots_get_f64(h, i, outF64), () => outF64[0]); }
    getStr(name) {
        return typedGet(this, name, (h, i) => F.slots_get_str(h, i, outPtr, outLen),
            () => utf8(outPtr[0], Number(outLen[0])));
    }
    getBytes(name) {
        return typedGet(this, name, (h, i) => F.slots_get_bytes(h, i, outPtr, outLen),
            () => bytesCopy(outPtr[0], Number(outLen[0])));
    }
    setBool(name, v) { typedPut(this, name, (h, i) => F.slots_set_bool(h, i, v ? 1 : 0)); }
    setI64(name, v) { typedPut(this, name, (h, i) => F.slots_set_i64(h, i, toI64(v))); }
    setU64(name, v) { typedPut(this, name, (h, i) => F.slots_set_u64(h, i, toU64(v))); }
    setF64(name, v) { typedPut(this, name, (h, i) => F.slots_set_f64(h, i, Number(v))); }
    setStr(name, v) { const b = Buffer.from(String(v), 'utf8'); typedPut(this, name, (h, i) => F.slots_set_str(h, i, b, b.length)); }
    setBytes(name, v) { const b = Buffer.from(v); typedPut(this, name, (h, i) => F.slots_set_bytes(h, i, b, b.length)); }
    setNull(name) { typedPut(this, name, (h, i) => F.slots_set_null(h, i)); }


    /** Frees the record now: every object naming it then gets SLOTS_ESTALE. */
    free() {
        check(F.slots_free(this[H]));
        freeOnGC.unregister(this);
    }

    /** A deep copy (a new record, owned by the returned object). */
    copy() {
        check(F.slots_copy(this[H], outU64));
        const rec = wrapHandle(outU64[0], null);
        freeOnGC.register(rec, rec[H], rec);
        return rec;
    }

    /** Same type and equal fields. */
    equals(other) {
        if (!(other instanceof Record)) return false;
        return check(F.slots_equal(this[H], other[H])) === 1;
    }

    /** Python-style repr: Product(id=1, name='Widget', price=9.99). */
    toString() {
        check(F.slots_repr(this[H], outPtr, outLen));
        return utf8(outPtr[0], Number(outLen[0]));
    }

    /** The record as a plain object (what JSON.stringify writes). */
    toJSON() {
        check(F.slots_to_json(this[H], outPtr, outLen));
        return JSON.parse(utf8(outPtr[0], Number(outLen[0])));
    }

    [util.inspect.custom]() {
        try { return this.toString(); } catch (e) { return `<${infoOf(this).name} ${e.code}>`; }
    }
}

const toI64 = (v) => cInt(v, 'i64', 'value');
const toU64 = (v) => cInt(v, 'u64', 'value');

// ---- unknown attributes and extras: the end of every record's prototype chain ---------------------

function extraGet(rec, name) {
    const h = rec[H];
    check(F.slots_extra_kind(h, name, outI32));
    let st;
    switch (outI32[0]) {
        case 0: return null;
        case K.BOOL: st = F.slots_extra_get_bool(h, name, outI32); return st ? status(st) : outI32[0] !== 0;
        case K.I64: st = F.slots_extra_get_i64(h, name, outI64); return st ? status(st) : intValue(outI64[0]);
        case K.U64: st = F.slots_extra_get_u64(h, name, outU64); return st ? status(st) : intValue(outU64[0]);
        case K.F64: st = F.slots_extra_get_f64(h, name, outF64); return st ? status(st) : outF64[0];
        case K.STR:
            st = F.slots_extra_get_str(h, name, outPtr, outLen);
            return st ? status(st) : utf8(outPtr[0], Number(outLen[0]));
        case K.BYTES:
            st = F.slots_extra_get_bytes(h, name, outPtr, outLen);
            return st ? status(st) : bytesCopy(outPtr[0], Number(outLen[0]));
        case K.REF: st = F.slots_extra_get_ref(h, name, outU64); return st ? status(st) : wrapHandle(outU64[0], null);
        default: throw makeError(C.SLOTS_EINVAL, `extra '${name}' holds unknown kind ${outI32[0]}`);
    }
}

function extraSet(rec, name, v) {
    const h = rec[H];
    let st;
    switch (typeof v) {
        case 'boolean': st = F.slots_extra_set_bool(h, name, v ? 1 : 0); break;
        case 'number':
            st = Number.isInteger(v) && Math.abs(v) < 2 ** 63 ? F.slots_extra_set_i64(h, name, BigInt(v))
                : F.slots_extra_set_f64(h, name, v);
            break;
        case 'bigint':
            st = v < 0n ? F.slots_extra_set_i64(h, name, toI64(v)) : (v > I64_MAX
                ? F.slots_extra_set_u64(h, name, toU64(v)) : F.slots_extra_set_i64(h, name, v));
            break;
        case 'string': { const b = Buffer.from(v, 'utf8'); st = F.slots_extra_set_str(h, name, b, b.length); break; }
        case 'object':
            if (v === null) { st = F.slots_extra_set_null(h, name); break; }
            if (v instanceof Record) { st = F.slots_extra_set_ref(h, name, v[H]); break; }
            if (ArrayBuffer.isView(v)) {
                const b = Buffer.from(v.buffer, v.byteOffset, v.byteLength);
                st = F.slots_extra_set_bytes(h, name, b, b.length);
                break;
            }
        // falls through
        default:
            throw makeError(C.SLOTS_ETYPE, `extra attribute '${name}' cannot hold ${jsTypeName(v)}`);
    }
    check(st);
}

// Names JS itself probes on any object (promise resolution, JSON, inspection): absent, not errors.
const PROBED = new Set(['then', 'toJSON', 'inspect', 'asymmetricMatch', 'nodeType', '$$typeof']);

const unknownAttribute = new Proxy(Object.prototype, {
    get(target, prop, receiver) {
        if (typeof prop === 'symbol' || !(H in receiver) || prop in target || PROBED.has(prop)) {
            return Reflect.get(target, prop, receiver);
        }
        // No such field: a dynamic type's extra, or the library's AttributeError message.
        if (infoOf(receiver).flags & C.SLOTS_DYNAMIC) return extraGet(receiver, prop);
        return check(F.slots_field_index(infoOf(receiver).type, prop));
    },
    set(target, prop, value, receiver) {
        if (typeof prop === 'symbol' || !(H in receiver)) return Reflect.set(target, prop, value, receiver);
        if (infoOf(receiver).flags & C.SLOTS_DYNAMIC) {
            extraSet(receiver, prop, value);
            return true;
        }
        check(F.slots_field_index(infoOf(receiver).type, prop));
        return false;
    },
});
Object.setPrototypeOf(Record.prototype, unknownAttribute);

// ---- stores -------------------------------------------------------------------------------------

// A collected store is dropped by the finalizer, which runs from the event loop, never inside a
// call (a running call holds its Store). If the library still finds it busy (SLOTS_EBUSY) the drop
// is retried when the next store is made or dropped; what is left is freed by process exit.
const undropped = [];
const dropOnGC = new FinalizationRegistry((cell) => {
    if (cell.ptr && F.slots_store_drop(cell.ptr) === C.SLOTS_EBUSY) undropped.push(cell.ptr);
    cell.ptr = null;
});

function retryDrops() {
    while (undropped.length) {
        const p = undropped.pop();
        if (F.slots_store_drop(p) === C.SLOTS_EBUSY) {
            undropped.push(p);
            return;
        }
    }
}

// The TypedArray of each numeric kind's column (its C type, as slots_store_column_read writes it).
const COLUMN_ARRAYS = new Map([
    [K.BOOL, Uint8Array], [K.I8, Int8Array], [K.U8, Uint8Array], [K.I16, Int16Array], [K.U16, Uint16Array],
    [K.I32, Int32Array], [K.U32, Uint32Array], [K.I64, BigInt64Array], [K.U64, BigUint64Array],
    [K.F32, Float32Array], [K.F64, Float64Array],
]);

class Store {
    /** An empty store of records of `RecordClass` (a class from defineType). */
    constructor(RecordClass) {
        const info = RecordClass && RecordClass.prototype && RecordClass.prototype[INFO];
        if (!info) throw new TypeError('Store needs a record class from slots.defineType()');
        retryDrops();
        check(F.slots_store_new(info.type, outPtr));
        this.info = info;
        this.cell = { ptr: outPtr[0] }; // shared with the finalizer, cleared by drop()
        dropOnGC.register(this, this.cell, this);
    }

    get #ptr() {
        if (!this.cell.ptr) throw makeError(C.SLOTS_ESTALE, 'the store was dropped');
        return this.cell.ptr;
    }

    /** The records as an apache-arrow Table (pass the apache-arrow module): the store's Arrow C
     * stream (slots_store_export_stream) read batch by batch, each copied out of C once. Unset and
     * null fields are nulls; the Table stays valid after the store changes or is dropped.
     * options: batchRows (records per RecordBatch, default 65536), flags (SLOTS_ARROW_LARGE). */
    toArrow(arrow, options = {}) {
        if (!arrow || typeof arrow.makeData !== 'function') {
            throw new TypeError("toArrow needs the apache-arrow module: store.toArrow(require('apache-arrow'))");
        }
        const rows = options.batchRows || 0, flags = options.flags || 0;
        return arrowC.streamTable(arrow, (p) => check(F.slots_store_export_stream(this.#ptr, rows, flags, p)));
    }

    /** Number of live records. */
    get length() {
        check(F.slots_store_len(this.#ptr, outLen));
        return Number(outLen[0]);
    }

    len() { return this.length; }

    /** The record at position i, a Number or BigInt (negative counts from the end, as
     * Array.prototype.at); RangeError SLOTS_EINDEX past the end, SLOTS_ERANGE beyond size_t. */
    at(i) {
        if (typeof i === 'number' ? !Number.isInteger(i) : typeof i !== 'bigint') {
            throw new TypeError(`store index must be an integer, not ${jsTypeName(i)}`);
        }
        let pos = BigInt(i); // exact: Number(2n ** 64n + 1n) would round
        if (pos < 0n) pos += BigInt(this.length);
        if (pos < 0n) throw makeError(C.SLOTS_EINDEX, `store index ${i} out of range`);
        check(F.slots_store_at(this.#ptr, cInt(pos, 'size_t', 'store index'), outU64));
        return wrapHandle(outU64[0], this);
    }

    /** The record whose key field equals `key` (a number, BigInt or string); an Error with code
     * SLOTS_ENOKEY when there is none. */
    find(key) {
        check(this.#lookup(key));
        return wrapHandle(outU64[0], this);
    }

    /** The record whose key field equals `key`, or undefined when there is none (as Map#get). A key
     * of the wrong kind (a string for an integer key) is still a TypeError. */
    get(key) {
        const st = this.#lookupOrAbsent(key);
        if (st === C.SLOTS_ENOKEY) return undefined;
        check(st);
        return wrapHandle(outU64[0], this);
    }

    /** Whether a record's key field equals `key` (false for a key of the wrong kind, as Python's
     * `key in store`). */
    has(key) {
        let st;
        try {
            st = this.#lookupOrAbsent(key);
        } catch (e) {
            if (e instanceof TypeError) return false;
            throw e;
        }
        if (st === C.SLOTS_ENOKEY || st === C.SLOTS_ETYPE) return false;
        check(st);
        return true;
    }

    /** Removes the record whose key field equals `key`: true if there was one, false if not (as
     * Map#delete). Its JS objects then throw StaleRecordError. */
    delete(key) {
        const st = this.#lookupOrAbsent(key);
        if (st === C.SLOTS_ENOKEY) return false;
        check(st);
        check(F.slots_store_remove(this.#ptr, outU64[0]));
        return true;
    }

    // The key field's name; a TypeError for a type without one (as Python's store.keys()).
    #keyName(what) {
        const i = this.info.fieldFlags.findIndex((fl) => (fl & C.SLOTS_FIELD_KEY) !== 0);
        if (i < 0) throw new TypeError(`${this.info.name} has no key field, so its store has no ${what}`);
        return this.info.names[i];
    }

    /** The keys, in position order (as Map#keys). */
    * keys() {
        const name = this.#keyName('keys()');
        for (const rec of this) yield rec.get(name);
    }

    /** The records, in position order (what iterating the store gives). */
    * values() { yield* this; }

    /** [key, record] pairs, in position order (as Map#entries). */
    * entries() {
        const name = this.#keyName('entries()');
        for (const rec of this) yield [rec.get(name), rec];
    }

    // #lookup, where an integer key no 64-bit key can equal is simply absent (SLOTS_ENOKEY).
    #lookupOrAbsent(key) {
        try {
            return this.#lookup(key);
        } catch (e) {
            if (e.code === 'SLOTS_ERANGE') return C.SLOTS_ENOKEY;
            throw e;
        }
    }

    // The status of finding `key`, the handle in outU64[0].
    #lookup(key) {
        let st;
        if (typeof key === 'string') {
            const b = Buffer.from(key, 'utf8');
            st = F.slots_store_find_str(this.#ptr, b, b.length, outU64);
        } else if (typeof key === 'number' || typeof key === 'bigint') {
            if (typeof key === 'number' && !Number.isInteger(key)) {
                throw new TypeError(`store key must be an integer or a string, not float`);
            }
            const b = BigInt(key);
            st = b > I64_MAX ? F.slots_store_find_u64(this.#ptr, toU64(b), outU64)
                : F.slots_store_find_i64(this.#ptr, toI64(b), outU64);
        } else {
            throw new TypeError(`store key must be an integer or a string, not ${jsTypeName(key)}`);
        }
        return st;
    }

    /** A new record appended, its values given as to the record class's constructor (positional,
     * then an object by name); defaults fill the rest. A refused value appends nothing. */
    append(...args) {
        const values = constructorValues(this.info, args);
        check(F.slots_store_append(this.#ptr, outU64));
        const rec = wrapHandle(outU64[0], this);
        try {
            for (const [k, v] of values) rec.set(k, v);
        } catch (e) {
            F.slots_store_remove(this.#ptr, rec[H]);
            throw e;
        }
        return rec;
    }

    remove(rec) { check(F.slots_store_remove(this.#ptr, rec[H])); }

    /** Loads JSON Lines (a string or Buffer), all or nothing unless { skipBad: true }. */
    loadJsonl(data, options = {}) { return this.#load(F.slots_store_load_jsonl, data, options); }

    /** Loads CSV with a header row (a string or Buffer). */
    loadCsv(data, options = {}) { return this.#load(F.slots_store_load_csv, data, options); }

    /** Loads a JSON Lines file by path (the library reads it), with loadJsonl's options and errors. */
    loadJsonlFile(file, options = {}) { return this.#loadFile(F.slots_store_load_jsonl_file, file, options); }

    /** Loads a CSV file (header row first) by path. */
    loadCsvFile(file, options = {}) { return this.#loadFile(F.slots_store_load_csv_file, file, options); }

    #loadFile(fn, file, options) {
        if (typeof file !== 'string' && !(file instanceof URL)) {
            throw new TypeError(`path must be a string or URL, not ${jsTypeName(file)}`);
        }
        const p = file instanceof URL ? require('url').fileURLToPath(file) : file;
        return this.#load((ptr, b, len, ...rest) => fn(ptr, p, ...rest), Buffer.alloc(0), options);
    }

    #load(fn, data, options) {
        const b = Buffer.isBuffer(data) ? data : Buffer.from(String(data), 'utf8');
        const flags = (options.skipBad ? C.SLOTS_LOAD_SKIP_BAD : 0) | (options.lenient ? C.SLOTS_LOAD_LENIENT : 0);
        const st = fn(this.#ptr, b, b.length, flags, outLen, outLen2);
        if (st < 0) throw loadFailure(failure(st), this.loadErrors());
        const result = { loaded: Number(outLen[0]), skipped: Number(outLen2[0]) };
        if (result.skipped) result.errors = F.slots_store_load_errors(this.#ptr);
        return result;
    }

    /** The errors of the last load: [{ line, column, offset, field, message }] (field null if none);
     * with skipBad the first few skipped rows, after a failed load the error that stopped it. */
    loadErrors() {
        const out = [];
        check(F.slots_store_load_error_list(this.#ptr, null, errCount));
        for (let i = 0; i < Number(errCount[0]); i++) {
            check(F.slots_store_load_error_get(this.#ptr, i, errLine, errColumn, errOffset, errField, outPtr));
            out.push({
                line: Number(errLine[0]), column: Number(errColumn[0]), offset: Number(errOffset[0]),
                field: cString(errField[0]) || null, message: cString(outPtr[0]),
            });
        }
        return out;
    }

    /** How many skipped rows a skipBad load keeps in loadErrors() (default 10). */
    set loadErrorLimit(n) { check(F.slots_store_set_load_error_limit(this.#ptr, n)); }

    /** The records as JSON Lines text. */
    dumpJsonl() {
        check(F.slots_store_dump_jsonl(this.#ptr, outPtr, outLen));
        return utf8(outPtr[0], Number(outLen[0]));
    }

    /** The sum of a numeric field's set values: exact for integer fields. */
    sum(field) {
        const idx = fieldIndex(this.info, field);
        if (isIntKind(this.info.kinds[idx])) {
            check(F.slots_store_sum_i64(this.#ptr, idx, outI64));
            return intValue(outI64[0]);
        }
        check(F.slots_store_aggregate(this.#ptr, idx, null, outF64, null, null));
        return outF64[0];
    }

    /** { count, sum, min, max } over a numeric field's set, non-null values. */
    aggregate(field) {
        const out = [new BigUint64Array(1), new Float64Array(1), new Float64Array(1), new Float64Array(1)];
        check(F.slots_store_aggregate(this.#ptr, fieldIndex(this.info, field), ...out));
        return { count: Number(out[0][0]), sum: out[1][0], min: out[2][0], max: out[3][0] };
    }

    /** A numeric or bool field of every record, in position order, as a TypedArray of the field's
     * C type (bool/u8 Uint8Array, i8 Int8Array, i16/u16/i32/u32 Int16Array..Uint32Array, f32
     * Float32Array, f64 Float64Array, i64 BigInt64Array, u64 BigUint64Array: exact, so BigInts). A
     * copy, read in one C call. Unset or null cells read 0 (NaN for floats); with { nulls: true } the
     * result is { values, nulls }, nulls a Uint8Array with 1 where the field is null or unset. */
    column(field, options = {}) {
        const idx = fieldIndex(this.info, field);
        const Arr = COLUMN_ARRAYS.get(this.info.kinds[idx]);
        if (!Arr) {
            throw makeError(C.SLOTS_ETYPE, `field '${field}' of '${this.info.name}' is ` +
                `${F.slots_kind_name(this.info.kinds[idx])}, not numeric or bool`);
        }
        const n = this.length;
        const values = new Arr(n);
        const bits = options.nulls ? new Uint8Array((n + 7) >> 3) : null;
        check(F.slots_store_column_read_validity(this.#ptr, idx, n ? values : null, values.byteLength,
            bits && n ? bits : null, bits ? bits.length : 0, outLen, null));
        const count = Number(outLen[0]);
        const out = count === n ? values : values.subarray(0, count);
        if (!bits) return out;
        const nulls = new Uint8Array(count);
        for (let k = 0; k < count; k++) nulls[k] = (bits[k >> 3] >> (k & 7)) & 1 ? 0 : 1;
        return { values: out, nulls };
    }

    clear() { check(F.slots_store_clear(this.#ptr)); }

    /** Frees the store and its records now (their objects then get SLOTS_ESTALE). An Error with
     * code SLOTS_EBUSY, and nothing changes, when the store is busy (inside its own load). */
    drop() {
        check(F.slots_store_drop(this.#ptr));
        this.cell.ptr = null;
        dropOnGC.unregister(this);
        retryDrops();
    }

    * [Symbol.iterator]() {
        const cursor = new BigUint64Array(1);
        const h = new BigUint64Array(1);
        for (;;) {
            const st = F.slots_store_next(this.#ptr, cursor, h);
            if (st === C.SLOTS_EINDEX) return;
            check(st);
            yield wrapHandle(h[0], this);
        }
    }
}

// store[i]: the record at position i, as an Array element (undefined past the end; at(i) throws
// there and takes negative positions). A Proxy at the end of Store's prototype chain answers only
// names that nothing before it has, so methods and `at` never pass through it.
const POSITION = /^(?:0|[1-9][0-9]*)$/;
Object.setPrototypeOf(Store.prototype, new Proxy(Object.prototype, {
    get(target, prop, receiver) {
        if (typeof prop !== 'string' || !POSITION.test(prop) || !(receiver instanceof Store)) {
            return Reflect.get(target, prop, receiver);
        }
        const i = BigInt(prop);
        return i < BigInt(receiver.length) ? receiver.at(i) : undefined;
    },
    has(target, prop) {
        return Reflect.has(target, prop); // `0 in store` is not a position test: the receiver is unknown here
    },
    set(target, prop, value, receiver) {
        if (typeof prop === 'string' && POSITION.test(prop) && receiver instanceof Store) {
            throw new TypeError(`store positions are read-only: set the fields of store[${prop}], or use append()`);
        }
        return Reflect.set(target, prop, value, receiver);
    },
}));

module.exports = {
    defineType,
    findType,
    Record,
    Store,
    version: F.slots_version(),
    versionNumber: VERSION_NUMBER,
    /** What was loaded: the library as asked for (a path or the soname), the file the loader mapped
     * (null without /proc), and the ABI description read. */
    libraryPath: LIBRARY,
    libraryFile: LIBRARY_FILE,
    cdefPath: CDEF,
    koffiVersion: koffi.version,
    constants: C,
    /** The Error the binding throws for status `st` (a negative SLOTS_ code) with `message`: for
     * code that calls the `raw` functions (errorFor(st, slots.raw.slots_errmsg())). */
    errorFor: (st, message) => makeError(st, message === undefined ? F.slots_strerror(st) : message),
    /** The raw koffi functions, named as in slots.h (for benchmarks and advanced use). */
    raw: F,
};

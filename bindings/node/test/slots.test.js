'use strict';
// The Node binding through its public API, the way a user writes it. Run: node --test test/
const test = require('node:test');
const assert = require('node:assert/strict');
const util = require('node:util');
const slots = require('..');

// Type names are unique per test file run: the registry is process-wide and types are immortal.
let serial = 0;
const uniq = (name) => `${name}${++serial}`;

// assert.throws with the error class, the status name and the library's exact message.
function throwsSlots(fn, Ctor, code, message) {
    assert.throws(fn, (e) => {
        assert.equal(e.constructor, Ctor, `${e.constructor.name}: ${e.message}`);
        assert.equal(e.code, code);
        if (message instanceof RegExp) assert.match(e.message, message);
        else if (message !== undefined) assert.equal(e.message, message);
        assert.equal(typeof e.status, 'number');
        return true;
    });
}

test('loads the library and checks its major version', () => {
    assert.match(slots.version, /^1\.\d+\.\d+$/);
    assert.equal(Math.floor(slots.versionNumber / 10000), 1);
    assert.equal(slots.constants.SLOTS_ENOATTR, -1);
    assert.equal(slots.constants.SLOTS_F64, 11);
});

test('defineType: a class named after the type, with its fields', () => {
    const Product = slots.defineType('Product', 'id: i64 key, name: str, price: f64 = 0');
    assert.equal(Product.name, 'Product');
    assert.equal(Product.typeName, 'Product');
    assert.deepEqual(Product.fields.map((f) => [f.name, f.kind, f.key, f.default]), [
        ['id', 'i64', true, null],
        ['name', 'str', false, null],
        ['price', 'f64', false, '0.0'],
    ]);
    assert.equal(slots.findType('Product'), Product);
    const p = new Product({ id: 1, name: 'Widget' });
    assert.ok(p instanceof Product);
    assert.ok(p instanceof slots.Record);
    assert.equal(typeof p.handle, 'bigint');
});

test('defineType: malformed field lists and layouts are errors with the library message', () => {
    throwsSlots(() => slots.defineType(uniq('Bad'), 'id i64'), Error, 'SLOTS_EPARSE');
    throwsSlots(() => slots.defineType(uniq('Bad'), 'id: i64, id: str'), TypeError, 'SLOTS_ELAYOUT', /id/);
    throwsSlots(() => slots.defineType(uniq('Bad'), 'id: nosuchkind'), Error, 'SLOTS_EPARSE', /expected a kind/);
    throwsSlots(() => slots.defineType('1bad', 'id: i64'), Error, 'SLOTS_EINVAL');
    throwsSlots(() => slots.findType('NoSuchTypeAnywhere'), Error, 'SLOTS_ENOATTR');
});

test('a subtype extends its base class and keeps its fields first', () => {
    const Base = slots.defineType(uniq('Base'), 'id: i64');
    const Sub = slots.defineType(uniq('Sub'), 'extra: str = "x"', { base: Base });
    const s = new Sub({ id: 5 });
    assert.ok(s instanceof Base);
    assert.equal(s.id, 5);
    assert.equal(s.extra, 'x');
    assert.deepEqual(Sub.fields.map((f) => f.name), ['id', 'extra']);
});

test('create: constructor values, defaults and unset fields', () => {
    const T = slots.defineType(uniq('Item'), 'id: i64, name: str = "none", qty: u16 = 3, note: str optional');
    const a = new T();
    assert.equal(a.name, 'none');
    assert.equal(a.qty, 3);
    assert.equal(a.isSet('id'), false);
    assert.equal(a.id, undefined); // unset: undefined, as an absent property (issue 14)
    const b = new T({ id: 7, name: 'seven', note: null });
    assert.equal(b.id, 7);
    assert.equal(b.note, null);
    assert.equal(b.isSet('note'), true);
    assert.equal(String(b), `${T.name}(id=7, name='seven', qty=3, note=None)`);
    assert.equal(util.inspect(b), String(b));
    // A bad constructor value creates nothing and names the problem.
    throwsSlots(() => new T({ id: 1, age: 2 }), Error, 'SLOTS_ENOATTR', `'${T.name}' object has no attribute 'age'`);
    throwsSlots(() => new T({ qty: -1 }), RangeError, 'SLOTS_ERANGE', "value -1 out of range for field 'qty' (u16)");
});

test('read and write every kind', () => {
    const T = slots.defineType(uniq('All'), [
        'b: bool', 'i8: i8', 'i16: i16', 'i32: i32', 'i64: i64', 'u8: u8', 'u16: u16', 'u32: u32', 'u64: u64',
        'f32: f32', 'f64: f64', 's: str', 'by: bytes', 'r: ref', 'o: i32 optional',
    ].join(', '));
    const r = new T();
    r.b = true;
    r.i8 = -128; r.i16 = -32768; r.i32 = -2147483648; r.i64 = -(2n ** 63n);
    r.u8 = 255; r.u16 = 65535; r.u32 = 4294967295; r.u64 = 2n ** 64n - 1n;
    r.f32 = 1.5; r.f64 = Math.PI;
    r.s = 'héllo, wörld ✓';
    r.by = Buffer.from([0, 1, 2, 255]);
    const target = new T();
    r.r = target;
    r.o = null;
    assert.equal(r.b, true);
    assert.equal(r.i8, -128);
    assert.equal(r.i16, -32768);
    assert.equal(r.i32, -2147483648);
    assert.equal(r.i64, -(2n ** 63n)); // beyond Number's exact range: a BigInt
    assert.equal(r.u8, 255);
    assert.equal(r.u16, 65535);
    assert.equal(r.u32, 4294967295);
    assert.equal(r.u64, 2n ** 64n - 1n);
    assert.equal(r.f32, 1.5);
    assert.equal(r.f64, Math.PI);
    assert.equal(r.s, 'héllo, wörld ✓');
    assert.deepEqual(r.by, Buffer.from([0, 1, 2, 255]));
    assert.ok(r.r instanceof T);
    assert.equal(r.r.handle, target.handle);
    assert.equal(r.o, null);
    // Exact integers come back as Numbers, and BigInt input is accepted everywhere.
    r.i64 = 42n;
    assert.equal(r.i64, 42);
    r.i64 = Number.MAX_SAFE_INTEGER;
    assert.equal(r.i64, Number.MAX_SAFE_INTEGER);
    r.u8 = 7n;
    assert.equal(r.u8, 7);
    r.f64 = 3; // an integer Number into a float field
    assert.equal(r.f64, 3);
    r.f64 = 10n; // set_i64 serves float fields
    assert.equal(r.f64, 10);
    r.s = '';
    assert.equal(r.s, '');
    r.by = new Uint8Array([9, 8]);
    assert.deepEqual(r.by, Buffer.from([9, 8]));
    r.b = false;
    assert.equal(r.b, false);
    // f32 rounds as C float does.
    r.f32 = 0.1;
    assert.equal(r.f32, Math.fround(0.1));
    // del returns a field to unset.
    r.del('s');
    assert.equal(r.s, undefined);
    assert.equal(r.isSet('s'), false);
    throwsSlots(() => r.del('s'), Error, 'SLOTS_EUNSET');
});

test('typed get/set by kind, by field name', () => {
    const T = slots.defineType(uniq('Typed'), 'flag: bool, n: i32, big: u64, x: f64, s: str, raw: bytes');
    const r = new T();
    r.setBool('flag', 1);
    r.setI64('n', -5);
    r.setU64('big', 2n ** 63n);
    r.setF64('x', '2.5'); // converted by Number()
    r.setStr('s', 42);
    r.setBytes('raw', [1, 2, 3]);
    assert.equal(r.getBool('flag'), true);
    assert.equal(r.getI64('n'), -5n);
    assert.equal(r.getU64('big'), 2n ** 63n);
    assert.equal(r.getF64('x'), 2.5);
    assert.equal(r.getStr('s'), '42');
    assert.deepEqual(r.getBytes('raw'), Buffer.from([1, 2, 3]));
    assert.equal(r.get('x'), 2.5);
    r.set('x', 4).set('n', 6);
    assert.equal(r.x, 4);
    assert.equal(r.n, 6);
    // A typed call on a field of another kind is the library's TypeError.
    throwsSlots(() => r.setF64('n', 1.5), TypeError, 'SLOTS_ETYPE', `${T.name}.n must be i32, not float`);
    throwsSlots(() => r.getStr('x'), TypeError, 'SLOTS_ETYPE');
    throwsSlots(() => r.getI64('big'), RangeError, 'SLOTS_ERANGE'); // 2^63 does not fit i64
    throwsSlots(() => r.get('nope'), Error, 'SLOTS_ENOATTR', `'${T.name}' object has no attribute 'nope'`);
    throwsSlots(() => r.setI64('n', 2n ** 63n), RangeError, 'SLOTS_ERANGE');
});

test("error messages: unknown attributes are the library's AttributeError", () => {
    const Product = slots.defineType('Product', 'id: i64 key, name: str, price: f64 = 0');
    const p = new Product({ id: 1, name: 'Widget' });
    throwsSlots(() => p.age, Error, 'SLOTS_ENOATTR', "'Product' object has no attribute 'age'");
    throwsSlots(() => { p.age = 3; }, Error, 'SLOTS_ENOATTR', "'Product' object has no attribute 'age'");
    throwsSlots(() => p.set('age', 3), Error, 'SLOTS_ENOATTR', "'Product' object has no attribute 'age'");
    // Wrong kinds: the library words it, JS gets a TypeError.
    throwsSlots(() => { p.price = 'cheap'; }, TypeError, 'SLOTS_ETYPE', 'Product.price must be f64, not str');
    throwsSlots(() => { p.id = 1.5; }, TypeError, 'SLOTS_ETYPE', 'Product.id must be i64, not float');
    throwsSlots(() => { p.name = 5; }, TypeError, 'SLOTS_ETYPE', /Product\.name must be str/);
    throwsSlots(() => { p.name = undefined; }, TypeError, 'SLOTS_ETYPE', 'Product.name must be str, not undefined');
    throwsSlots(() => { p.name = {}; }, TypeError, 'SLOTS_ETYPE', 'Product.name must be str, not Object');
    throwsSlots(() => { p.price = null; }, TypeError, 'SLOTS_ETYPE'); // not optional
    // A refused set changes nothing.
    assert.equal(p.price, 0);
    assert.equal(p.name, 'Widget');
    // Names JS probes on any object are simply absent.
    assert.equal(p.then, undefined);
    assert.equal(JSON.stringify(p), '{"id":1,"name":"Widget","price":0}');
});

test('range errors for every integer kind, and nothing changes', () => {
    const T = slots.defineType(uniq('Ranges'), 'a: i8, b: i16, c: i32, d: i64, e: u8, f: u16, g: u32, h: u64, x: f32');
    const r = new T();
    const cases = [
        ['a', -129, 'i8'], ['a', 128, 'i8'], ['b', -32769, 'i16'], ['b', 32768, 'i16'],
        ['c', -2147483649, 'i32'], ['c', 2147483648, 'i32'], ['d', 2n ** 63n, 'i64'], ['d', -(2n ** 63n) - 1n, 'i64'],
        ['e', -1, 'u8'], ['e', 256, 'u8'], ['f', 65536, 'u16'], ['g', 4294967296, 'u32'], ['g', -1, 'u32'],
        ['h', -1, 'u64'], ['h', 2n ** 64n, 'u64'],
    ];
    for (const [field, value, kind] of cases) {
        throwsSlots(() => { r[field] = value; }, RangeError, 'SLOTS_ERANGE',
            `value ${value} out of range for field '${field}' (${kind})`);
        assert.equal(r.isSet(field), false, `${field} stays unset after ${value}`);
    }
    throwsSlots(() => { r.x = 1e39; }, RangeError, 'SLOTS_ERANGE'); // finite, beyond float
    r.x = Infinity; // not a range error: infinities are floats
    assert.equal(r.x, Infinity);
    r.e = 255;
    throwsSlots(() => { r.e = 256; }, RangeError, 'SLOTS_ERANGE');
    assert.equal(r.e, 255);
});

test('stale handles: freed records and dropped stores', () => {
    const T = slots.defineType(uniq('Stale'), 'id: i64 key, v: f64 = 1');
    const r = new T({ id: 1 });
    const alias = r.copy();
    r.free();
    throwsSlots(() => r.v, Error, 'SLOTS_ESTALE', /stale/);
    throwsSlots(() => { r.v = 2; }, Error, 'SLOTS_ESTALE');
    throwsSlots(() => r.free(), Error, 'SLOTS_ESTALE');
    throwsSlots(() => String(r), Error, 'SLOTS_ESTALE');
    assert.match(util.inspect(r), /SLOTS_ESTALE/);
    assert.equal(alias.v, 1); // the copy is its own record
    // A ref to a freed record goes stale and is found out on use.
    const U = slots.defineType(uniq('Holder'), 'r: ref');
    const h = new U({ r: alias });
    alias.free();
    throwsSlots(() => h.r, Error, 'SLOTS_ESTALE');
    const s = new slots.Store(T);
    s.loadJsonl('{"id": 1}\n{"id": 2}\n');
    const rec = s.find(2);
    s.drop();
    throwsSlots(() => rec.v, Error, 'SLOTS_ESTALE');
    throwsSlots(() => s.length, Error, 'SLOTS_ESTALE');
    throwsSlots(() => s.drop(), Error, 'SLOTS_ESTALE');
});

test('readonly and frozen records refuse changes', () => {
    const T = slots.defineType(uniq('RO'), 'id: i64 readonly, name: str');
    const r = new T({ id: 1, name: 'a' });
    throwsSlots(() => { r.id = 2; }, Error, 'SLOTS_EREADONLY');
    assert.equal(r.id, 1);
    const Fz = slots.defineType(uniq('Frozen'), 'x: i64 = 1, y: i64', { frozen: true });
    const f = new Fz({ y: 2 });
    assert.equal(f.x, 1);
    throwsSlots(() => { f.y = 3; }, Error, 'SLOTS_EREADONLY');
});

test('dynamic types take extra attributes', () => {
    const D = slots.defineType(uniq('Dyn'), 'id: i64', { dynamic: true });
    const d = new D({ id: 1 });
    d.color = 'red';
    d.count = 3;
    d.big = 2n ** 64n - 1n;
    d.ratio = 0.5;
    d.on = true;
    d.nothing = null;
    assert.equal(d.color, 'red');
    assert.equal(d.count, 3);
    assert.equal(d.big, 2n ** 64n - 1n);
    assert.equal(d.ratio, 0.5);
    assert.equal(d.on, true);
    assert.equal(d.nothing, null);
    throwsSlots(() => d.missing, Error, 'SLOTS_ENOATTR');
});

test('records: equality, copy, JSON in and out', () => {
    const T = slots.defineType(uniq('Json'), 'id: i64, name: str, tags: bytes optional');
    const a = T.fromJSON('{"id": 3, "name": "x", "tags": "AAE="}');
    assert.equal(a.id, 3);
    assert.deepEqual(a.tags, Buffer.from([0, 1]));
    const b = a.copy();
    assert.ok(a.equals(b));
    b.name = 'y';
    assert.ok(!a.equals(b));
    assert.deepEqual(a.toJSON(), { id: 3, name: 'x', tags: 'AAE=' });
    throwsSlots(() => T.fromJSON('{"id": 3, "age": 1}'), Error, 'SLOTS_ENOATTR', /age/);
    throwsSlots(() => T.fromJSON('{"id": '), Error, 'SLOTS_EPARSE');
});

test('stores: JSON Lines load, len, at, find, sum, iteration', () => {
    const Product = slots.defineType('Product', 'id: i64 key, name: str, price: f64 = 0, qty: i32 = 0');
    const s = new slots.Store(Product);
    const text = [
        '{"id": 10, "name": "apple", "price": 1.25, "qty": 4}',
        '',
        '{"id": 20, "name": "pear", "price": 2.5, "qty": 1}',
        '{"id": 30, "name": "plum"}',
    ].join('\n');
    assert.deepEqual(s.loadJsonl(text), { loaded: 3, skipped: 0 });
    assert.equal(s.length, 3);
    assert.equal(s.len(), 3);
    assert.equal(s.at(0).name, 'apple');
    assert.equal(s.at(-1).name, 'plum');
    assert.equal(s.at(2).price, 0);
    throwsSlots(() => s.at(3), RangeError, 'SLOTS_EINDEX');
    throwsSlots(() => s.at(-4), RangeError, 'SLOTS_EINDEX');
    assert.equal(s.find(20).name, 'pear');
    assert.equal(s.find(20n).price, 2.5);
    throwsSlots(() => s.find(99), Error, 'SLOTS_ENOKEY', '99'); // the key, as Python's KeyError shows it
    throwsSlots(() => s.find('20'), TypeError, 'SLOTS_ETYPE'); // an i64 key is not found by a str
    throwsSlots(() => s.find(2n ** 64n), RangeError, 'SLOTS_ERANGE');
    assert.throws(() => s.find(1.5), TypeError);
    assert.throws(() => s.find({}), TypeError);
    assert.equal(s.sum('price'), 3.75);
    assert.equal(s.sum('qty'), 5);
    assert.deepEqual(s.aggregate('price'), { count: 3, sum: 3.75, min: 0, max: 2.5 });
    assert.deepEqual([...s].map((r) => r.id), [10, 20, 30]);
    // Records of a store are ordinary records: writes show, and the key index follows.
    s.find(30).price = 4;
    assert.equal(s.sum('price'), 7.75);
    s.find(30).id = 31;
    assert.equal(s.find(31).name, 'plum');
    throwsSlots(() => { s.find(31).id = 10; }, Error, 'SLOTS_EEXIST');
    // Loads are all or nothing, and name the bad line.
    throwsSlots(() => s.loadJsonl('{"id": 40, "name": "fig"}\n{"id": "x"}\n'), TypeError, 'SLOTS_ETYPE',
        'line 2: Product.id must be i64, not str');
    throwsSlots(() => s.loadJsonl('{"id": 10, "name": "dup"}\n'), Error, 'SLOTS_EEXIST');
    throwsSlots(() => s.loadJsonl('{"id": 41, "name": }\n'), Error, 'SLOTS_EPARSE', /line 1/);
    assert.equal(s.length, 3);
    // ... or skip bad lines when asked.
    const r = s.loadJsonl(Buffer.from('{"id": 50, "name": "kiwi"}\n{"id": "y"}\n'), { skipBad: true });
    assert.equal(r.loaded, 1);
    assert.equal(r.skipped, 1);
    assert.match(r.errors, /line 2/);
    assert.equal(s.length, 4);
    assert.match(s.dumpJsonl(), /"name":"kiwi"/);
    const added = s.append({ id: 60, name: 'lime' });
    assert.equal(s.find(60).handle, added.handle);
    s.remove(added);
    throwsSlots(() => s.find(60), Error, 'SLOTS_ENOKEY');
    s.clear();
    assert.equal(s.length, 0);
    s.drop();
});

test('loads are strict; their errors carry line, column, offset, field and errors', () => {
    const Item = slots.defineType(uniq('Item'), 'id: i64 key, name: str, price: f64 = 0');
    const s = new slots.Store(Item);
    const text = '{"id": 1, "name": "a"}\n{"id": 2}\n';
    throwsSlots(() => s.loadJsonl(text), TypeError, 'SLOTS_ETYPE', "line 2: missing field 'name'");
    assert.equal(s.length, 0);
    try { s.loadJsonl(text); } catch (e) {
        assert.deepEqual([e.line, e.column, e.offset, e.field], [2, 0, 23, 'name']);
        assert.deepEqual(e.errors, [{ line: 2, column: 0, offset: 23, field: 'name', message: "missing field 'name'" }]);
    }
    // a JSON syntax error: the byte column in the line and the offset in the text
    try { s.loadJsonl('{"id": 1, "name": "a"}\n{"id": 2, "name": x}\n'); assert.fail('loaded'); } catch (e) {
        assert.deepEqual([e.line, e.column, e.offset, e.field], [2, 19, 41, 'name']);
    }
    // a CSV cell: its column
    try { s.loadCsv('id,name,price\n1,a,oops\n'); assert.fail('loaded'); } catch (e) {
        assert.deepEqual([e.line, e.column, e.offset, e.field], [2, 3, 18, 'price']);
    }
    // lenient: unset fields, but never without the key
    assert.deepEqual(s.loadJsonl(text, { lenient: true }), { loaded: 2, skipped: 0 });
    throwsSlots(() => s.loadJsonl('{"name": "x"}', { lenient: true }), TypeError, 'SLOTS_ETYPE',
        "line 1: missing field 'id'");
    throwsSlots(() => Item.fromJSON('{"id": 7}'), TypeError, 'SLOTS_ETYPE', "missing field 'name'");
    assert.equal(Item.fromJSON('{"id": 7}', { lenient: true }).id, 7);
    // skipping: the list, and its limit
    s.loadErrorLimit = 1;
    const r = s.loadJsonl('{"id": 10}\n{"id": 11, "name": 5}\n{"id": 12, "name": "c"}\n', { skipBad: true });
    assert.deepEqual([r.loaded, r.skipped], [1, 2]);
    assert.deepEqual(s.loadErrors(), [{ line: 1, column: 0, offset: 0, field: 'name', message: "missing field 'name'" }]);
});

test('stores: string keys', () => {
    const User = slots.defineType(uniq('User'), 'login: str key, age: u8');
    const s = new slots.Store(User);
    s.loadJsonl('{"login": "ada", "age": 36}\n{"login": "żółw", "age": 99}\n');
    assert.equal(s.find('ada').age, 36);
    assert.equal(s.find('żółw').age, 99);
    throwsSlots(() => s.find('bob'), Error, 'SLOTS_ENOKEY');
    throwsSlots(() => s.find(1), TypeError, 'SLOTS_ETYPE');
    throwsSlots(() => s.loadJsonl('{"login": "eve", "age": 300}\n'), RangeError, 'SLOTS_ERANGE', /line 1/);
    throwsSlots(() => s.sum('login'), TypeError, 'SLOTS_ETYPE');
    s.drop();
});

test('a store of a type without a key refuses find', () => {
    const T = slots.defineType(uniq('NoKey'), 'v: f64');
    const s = new slots.Store(T);
    s.loadCsv('v\n1.5\n2.5\n');
    assert.equal(s.sum('v'), 4);
    throwsSlots(() => s.find(1), TypeError, 'SLOTS_ETYPE');
    assert.throws(() => new slots.Store({}), TypeError);
});

test('garbage collection frees records owned by their objects', () => {
    // A child process, so that --expose-gc applies; FinalizationRegistry callbacks run after a turn.
    const { execFileSync } = require('node:child_process');
    const script = `
        const slots = require(${JSON.stringify(require.resolve('..'))});
        const T = slots.defineType('Gc', 'v: f64 = 0');
        const count = () => T.liveCount();
        let live = [];
        for (let i = 0; i < 20000; i++) live.push(new T({ v: i }));
        const peak = count();
        live = null;
        (async () => {
            for (let i = 0; i < 20 && count() > 0; i++) { global.gc(); await new Promise((r) => setTimeout(r, 10)); }
            console.log(JSON.stringify({ peak, after: count() }));
        })();`;
    const out = JSON.parse(execFileSync(process.execPath, ['--expose-gc', '-e', script], { encoding: 'utf8' }));
    assert.equal(out.peak, 20000);
    assert.equal(out.after, 0);
});

// ---- issue 10: integer ranges before koffi, SLOTS_EBUSY, a dropped store ----------------------------

function store3() {
    const T = slots.defineType(uniq('Ranged'), 'id: i64 key, name: str, n: i64 = 0, u: u64 = 0');
    const s = new slots.Store(T);
    for (const id of [1, 2, 3]) s.append({ id, name: `r${id}` });
    return s;
}

test('store positions beyond size_t are RangeError SLOTS_ERANGE, never another record', () => {
    const s = store3();
    for (const i of [2 ** 64, 2 ** 64 + 8192, 1e300, 2n ** 64n, 2n ** 64n + 1n, 2n ** 200n]) {
        throwsSlots(() => s.at(i), RangeError, 'SLOTS_ERANGE', /store index .* does not fit in size_t/);
    }
    for (const i of [3, 2 ** 53 + 1, 2n ** 64n - 1n, -4, -(2 ** 64), -(2n ** 64n)]) {
        throwsSlots(() => s.at(i), RangeError, 'SLOTS_EINDEX');
    }
    assert.equal(s.at(0n).id, 1);
    assert.equal(s.at(-1n).id, 3);
    assert.throws(() => s.at(1.5), TypeError);
    assert.throws(() => s.at(Infinity), TypeError);
    assert.throws(() => s.at('1'), TypeError);
});

test('64-bit field values and keys out of range are refused, the record unchanged', () => {
    const s = store3();
    const r = s.at(0);
    throwsSlots(() => r.setI64('n', 2n ** 63n), RangeError, 'SLOTS_ERANGE');
    throwsSlots(() => r.setI64('n', -(2n ** 63n) - 1n), RangeError, 'SLOTS_ERANGE');
    throwsSlots(() => r.setU64('u', -1), RangeError, 'SLOTS_ERANGE');
    throwsSlots(() => r.setU64('u', 2n ** 64n), RangeError, 'SLOTS_ERANGE');
    throwsSlots(() => { r.n = 2n ** 64n; }, RangeError, 'SLOTS_ERANGE');
    throwsSlots(() => { r.u = -(2n ** 64n); }, RangeError, 'SLOTS_ERANGE');
    assert.throws(() => r.setI64('n', 1.5), TypeError);
    assert.equal(r.n, 0);
    assert.equal(r.u, 0);
    r.setU64('u', 2n ** 64n - 1n);
    assert.equal(r.u, 2n ** 64n - 1n);
    throwsSlots(() => s.find(-(2n ** 63n) - 1n), RangeError, 'SLOTS_ERANGE');
    throwsSlots(() => s.find(2n ** 64n), RangeError, 'SLOTS_ERANGE');
    assert.equal(s.length, 3);
});

test('SLOTS_EBUSY is an Error with code SLOTS_EBUSY', () => {
    assert.equal(slots.constants.SLOTS_EBUSY, -15);
    const e = slots.errorFor(slots.constants.SLOTS_EBUSY, 'the store is busy');
    assert.equal(e.constructor, Error);
    assert.equal(e.code, 'SLOTS_EBUSY');
    assert.equal(e.status, -15);
    assert.equal(e.message, 'the store is busy');
    assert.equal(slots.errorFor(-15).message, 'SLOTS_EBUSY');
});

test('a dropped store refuses every use with SLOTS_ESTALE', () => {
    const s = store3();
    const r = s.at(0);
    s.drop();
    for (const use of [() => s.length, () => s.at(0), () => s.find(1), () => s.append({}),
        () => s.loadJsonl('{"id": 9, "name": "x"}\n'), () => s.dumpJsonl(), () => s.sum('n'), () => [...s],
        () => s.drop(), () => r.name]) {
        throwsSlots(use, Error, 'SLOTS_ESTALE');
    }
});

// Needs the thread-safe core (issue 10): a library from before it crashes here (SLOTS_THREAD_TESTS=0
// skips the test).
test('a validator that drops, clears or loads into the store being loaded gets SLOTS_EBUSY',
    { skip: process.env.SLOTS_THREAD_TESTS === '0' && 'SLOTS_THREAD_TESTS=0' }, () => {
        const koffi = require('koffi');
        const T = slots.defineType(uniq('Busy'), 'id: i64 key, name: str');
        for (const action of ['drop', 'clear', 'load']) {
            const s = new slots.Store(T);
            s.append({ id: 1000, name: 'kept' });
            const codes = [];
            const cb = koffi.register(() => {
                try {
                    if (action === 'drop') s.drop();
                    else if (action === 'clear') s.clear();
                    else s.loadJsonl('{"id": 5000, "name": "inner"}\n');
                    codes.push('no error');
                } catch (e) {
                    codes.push(e.code);
                }
                return 0;
            }, 'slots_validator');
            const t = slots.raw.slots_type_find(T.typeName);
            assert.equal(slots.raw.slots_field_set_validator(t, 1, cb, null), 0);
            let result;
            try {
                result = s.loadJsonl('{"id": 1, "name": "a"}\n{"id": 2, "name": "b"}\n');
            } finally {
                slots.raw.slots_field_set_validator(t, 1, null, null);
                koffi.unregister(cb);
            }
            assert.equal(result.loaded, 2, action);
            assert.deepEqual(codes, ['SLOTS_EBUSY', 'SLOTS_EBUSY'], action);
            assert.equal(s.length, 3, action);
        }
    });

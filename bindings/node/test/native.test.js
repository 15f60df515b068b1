'use strict';
// Issue 14: the binding behaves as a Node user predicts (constructor, reflection, store access, i64).
const test = require('node:test');
const assert = require('node:assert/strict');
const slots = require('..');

let serial = 0;
const uniq = (name) => `${name}N${++serial}`;

function throwsCode(fn, Ctor, code, message) {
    assert.throws(fn, (e) => {
        assert.equal(e.constructor, Ctor, `${e.constructor.name}: ${e.message}`);
        if (code !== undefined) assert.equal(e.code, code);
        if (message instanceof RegExp) assert.match(e.message, message);
        else if (message !== undefined) assert.equal(e.message, message);
        return true;
    });
}

const product = () => slots.defineType(uniq('Product'), 'id: i64 key, name: str, price: f64 = 0');

test('constructor: positional values in field order, then values by name', () => {
    const P = product();
    const a = new P(1, 'a');
    assert.deepEqual([a.id, a.name, a.price], [1, 'a', 0]);
    const b = new P(2, 'b', 3.5);
    assert.deepEqual([b.id, b.name, b.price], [2, 'b', 3.5]);
    const c = new P(3, { price: 4, name: 'c' });
    assert.deepEqual([c.id, c.name, c.price], [3, 'c', 4]);
    const d = new P({ id: 4, name: 'd' });
    assert.deepEqual([d.id, d.name], [4, 'd']);
    const e = new P(undefined);
    assert.equal(e.isSet('id'), false);
    // A subtype's fields follow its base's, as in the field list.
    const Sub = slots.defineType(uniq('Sub'), 'stock: u32 = 0', { base: P });
    const s = new Sub(5, 'e', 1, 7);
    assert.deepEqual([s.id, s.name, s.price, s.stock], [5, 'e', 1, 7]);
});

test('constructor: never drops an argument', () => {
    const P = product();
    throwsCode(() => new P(1, 'a', 2, 3), TypeError, undefined,
        `${P.name}() takes at most 3 positional arguments but 4 were given`);
    throwsCode(() => new P(1, { id: 2 }), TypeError, undefined, `${P.name}() got multiple values for argument 'id'`);
    throwsCode(() => new P(1, 'a', { nope: 1 }), Error, 'SLOTS_ENOATTR', `'${P.name}' object has no attribute 'nope'`);
    throwsCode(() => new P('x'), TypeError, 'SLOTS_ETYPE', `${P.name}.id must be i64, not str`);
    throwsCode(() => new P(1, undefined), TypeError, 'SLOTS_ETYPE', `${P.name}.name must be str, not undefined`);
    throwsCode(() => new P(new Map()), TypeError, 'SLOTS_ETYPE', `${P.name}.id must be i64, not Map`);
    assert.equal(P.liveCount(), 0); // nothing made by a refused call
    const s = new slots.Store(P);
    const r = s.append(7, 'g', { price: 1.5 });
    assert.deepEqual([r.id, r.name, r.price], [7, 'g', 1.5]);
    throwsCode(() => s.append(8, 'h', 1, 2), TypeError);
    throwsCode(() => s.append(8, 5), TypeError, 'SLOTS_ETYPE');
    assert.equal(s.length, 1);
});

test('records show their fields: Object.keys, spread, for...in, JSON, structuredClone', () => {
    const P = slots.defineType(uniq('Shown'), 'id: i64 key, name: str, price: f64 = 0, tag: bytes optional, r: ref optional');
    const q = new P(2, 'q');
    const p = new P(1, 'a', { tag: Buffer.from([1, 2]), r: q });
    assert.deepEqual(Object.keys(p), ['id', 'name', 'price', 'tag', 'r']);
    const spread = { ...p };
    assert.deepEqual(Object.keys(spread), ['id', 'name', 'price', 'tag', 'r']);
    assert.equal(spread.name, 'a');
    assert.ok(spread.r instanceof P);
    assert.deepEqual(Object.getOwnPropertySymbols(spread), []); // no handle copied
    const seen = [];
    for (const k in p) seen.push(k);
    assert.deepEqual(seen.slice(0, 5), ['id', 'name', 'price', 'tag', 'r']);
    assert.equal(JSON.stringify(q), '{"id":2,"name":"q","price":0}');
    assert.deepEqual(p.toJSON().tag, 'AQI=');
    // structuredClone: a plain object, nested records too; bytes become a Uint8Array.
    const c = structuredClone(p);
    assert.equal(Object.getPrototypeOf(c), Object.prototype);
    assert.deepEqual(c, { id: 1, name: 'a', price: 0, tag: new Uint8Array([1, 2]),
        r: { id: 2, name: 'q', price: 0, tag: undefined, r: undefined } });
    // An unset field reads undefined (a null optional reads null), so reflection never throws.
    const u = new P();
    assert.equal(u.id, undefined);
    assert.equal(u.get('name'), undefined);
    assert.deepEqual({ ...u }, { id: undefined, name: undefined, price: 0, tag: undefined, r: undefined });
    u.tag = null;
    assert.equal(u.tag, null);
    assert.equal(JSON.stringify(u), '{"price":0,"tag":null}');
    // A store's records show the same.
    const s = new slots.Store(P);
    s.loadJsonl('{"id": 5, "name": "e"}\n', { lenient: true });
    assert.deepEqual(Object.keys(s.at(0)), ['id', 'name', 'price', 'tag', 'r']);
    assert.equal(structuredClone(s.at(0)).name, 'e');
});

test('store[i] is the record at position i, as an Array element', () => {
    const P = product();
    const s = new slots.Store(P);
    s.loadJsonl('{"id": 10, "name": "a"}\n{"id": 20, "name": "b"}\n');
    assert.equal(s[0].name, 'a');
    assert.equal(s[1].id, 20);
    assert.equal(s[2], undefined); // past the end, as an Array
    assert.equal(s['-1'], undefined); // not a position: at(-1) is the last
    assert.equal(s.at(-1).id, 20);
    assert.equal(s['01'], undefined);
    assert.throws(() => { s[0] = new P(1, 'x'); }, TypeError);
    assert.equal(s.nonesuch, undefined);
    s[0].price = 3; // the record itself, not a copy
    assert.equal(s.at(0).price, 3);
});

test('store get/has by key, as Map; find throws', () => {
    const P = product();
    const s = new slots.Store(P);
    s.loadJsonl('{"id": 10, "name": "a"}\n');
    assert.equal(s.get(10).name, 'a');
    assert.equal(s.get(10n).name, 'a');
    assert.equal(s.get(11), undefined);
    assert.equal(s.get(2n ** 64n), undefined); // no 64-bit key equals it
    assert.equal(s.has(10), true);
    assert.equal(s.has(11), false);
    assert.equal(s.has('10'), false); // a key of the wrong kind is not in the store
    assert.equal(s.has(2n ** 70n), false);
    assert.throws(() => s.get('10'), TypeError);
    assert.throws(() => s.get(1.5), TypeError);
    assert.throws(() => s.find(11), (e) => e.code === 'SLOTS_ENOKEY');
    const U = slots.defineType(uniq('User'), 'login: str key');
    const su = new slots.Store(U);
    su.append('ada');
    assert.equal(su.get('ada').login, 'ada');
    assert.equal(su.get('bob'), undefined);
    assert.equal(su.has('ada'), true);
    assert.equal(su.has(1), false);
});

test('store delete/keys/values/entries, as Map', () => {
    const P = product();
    const s = new slots.Store(P);
    s.loadJsonl('{"id": 10, "name": "a"}\n{"id": 20, "name": "b"}\n{"id": 30, "name": "c"}\n');
    assert.deepEqual([...s.keys()].map(Number), [10, 20, 30]);
    assert.deepEqual([...s.values()].map((r) => r.name), ['a', 'b', 'c']);
    assert.deepEqual([...s.entries()].map(([k, r]) => [Number(k), r.name]), [[10, 'a'], [20, 'b'], [30, 'c']]);
    const b = s.get(20);
    assert.equal(s.delete(20), true);
    assert.equal(s.delete(20), false);
    assert.equal(s.has(20), false);
    assert.equal(s.length, 2);
    assert.throws(() => b.name, (e) => e.code === 'SLOTS_ESTALE');
    assert.throws(() => s.delete('x'), TypeError);
    const N = slots.defineType(uniq('NoKey'), 'x: f64');
    const sn = new slots.Store(N);
    sn.append(1.5);
    assert.throws(() => [...sn.keys()], /has no key field/);
    assert.deepEqual([...sn.values()].map((r) => r.x), [1.5]);
});

test('columns are TypedArrays of the field C type', () => {
    const T = slots.defineType(uniq('Cols'), 'id: i64 key, b: bool = false, i8: i8 = 0, u16: u16 = 0, i32: i32 = 0, ' +
        'u32: u32 = 0, u64: u64 = 0, f32: f32 = 0, f64: f64 optional, s: str = ""');
    const s = new slots.Store(T);
    s.append(1, { b: true, i8: -3, u16: 65535, i32: -7, u32: 4294967295, u64: 2n ** 64n - 1n, f32: 0.5, f64: 1.5 });
    s.append(2, { f64: null });
    s.append(3);
    assert.deepEqual(s.column('id'), new BigInt64Array([1n, 2n, 3n]));
    assert.deepEqual(s.column('b'), new Uint8Array([1, 0, 0]));
    assert.deepEqual(s.column('i8'), new Int8Array([-3, 0, 0]));
    assert.deepEqual(s.column('u16'), new Uint16Array([65535, 0, 0]));
    assert.deepEqual(s.column('i32'), new Int32Array([-7, 0, 0]));
    assert.deepEqual(s.column('u32'), new Uint32Array([4294967295, 0, 0]));
    assert.deepEqual(s.column('u64'), new BigUint64Array([2n ** 64n - 1n, 0n, 0n]));
    assert.deepEqual(s.column('f32'), new Float32Array([0.5, 0, 0]));
    const f = s.column('f64');
    assert.ok(f instanceof Float64Array);
    assert.equal(f[0], 1.5);
    assert.ok(Number.isNaN(f[1]) && Number.isNaN(f[2])); // null, unset
    const { values, nulls } = s.column('f64', { nulls: true });
    assert.equal(values[0], 1.5);
    assert.deepEqual(nulls, new Uint8Array([0, 1, 1]));
    assert.throws(() => s.column('s'), (e) => e instanceof TypeError && e.code === 'SLOTS_ETYPE');
    assert.throws(() => s.column('nope'), (e) => e.code === 'SLOTS_ENOATTR');
    assert.deepEqual(new slots.Store(T).column('u32'), new Uint32Array(0));
});

test('file loads by path; their errors carry .line', () => {
    const fs = require('node:fs');
    const os = require('node:os');
    const path = require('node:path');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'slots-node-'));
    try {
        const P = product();
        const s = new slots.Store(P);
        const jl = path.join(dir, 'p.jsonl');
        fs.writeFileSync(jl, '{"id": 1, "name": "a"}\n{"id": 2, "name": "b", "price": 2}\n');
        assert.deepEqual(s.loadJsonlFile(jl), { loaded: 2, skipped: 0 });
        const csv = path.join(dir, 'p.csv');
        fs.writeFileSync(csv, 'id,name,price\n3,c,1.5\n');
        assert.deepEqual(s.loadCsvFile(require('node:url').pathToFileURL(csv)), { loaded: 1, skipped: 0 });
        assert.equal(s.get(3).price, 1.5);
        fs.writeFileSync(jl, '{"id": 4, "name": "d"}\n{"id": 5}\n');
        assert.throws(() => s.loadJsonlFile(jl), (e) => e instanceof TypeError && e.line === 2 &&
            e.field === 'name' && /line 2/.test(e.message));
        fs.writeFileSync(csv, 'id,name,price\n6,f,x\n');
        assert.throws(() => s.loadCsvFile(csv), (e) => e.line === 2 && e.field === 'price');
        assert.equal(s.length, 3); // all or nothing
        const r = s.loadJsonlFile(jl, { skipBad: true });
        assert.deepEqual([r.loaded, r.skipped], [1, 1]);
        assert.equal(s.loadErrors()[0].line, 2);
        assert.throws(() => s.loadJsonlFile(path.join(dir, 'missing.jsonl')), (e) => e.code === 'SLOTS_EIO' && /missing\.jsonl/.test(e.message));
        assert.throws(() => s.loadJsonlFile(42), TypeError);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
});

test('i64/u64 rule: a Number when |v| <= 2^53 - 1, a BigInt beyond; typed getters and columns always BigInt', () => {
    const T = slots.defineType(uniq('Wide'), 'i: i64 = 0, u: u64 = 0, n: i32 = 0', { dynamic: true });
    const r = new T();
    const MAX = Number.MAX_SAFE_INTEGER; // 2^53 - 1
    const cases = [
        ['i', MAX, MAX], ['i', 2n ** 53n - 1n, MAX], ['i', 2n ** 53n, 2n ** 53n], ['i', -MAX, -MAX],
        ['i', -(2n ** 53n), -(2n ** 53n)], ['i', 2n ** 63n - 1n, 2n ** 63n - 1n], ['i', -(2n ** 63n), -(2n ** 63n)],
        ['i', 0, 0], ['u', MAX, MAX], ['u', 2n ** 53n, 2n ** 53n], ['u', 2n ** 64n - 1n, 2n ** 64n - 1n],
        ['u', 2 ** 60, 2n ** 60n], // an exact integral Number beyond 2^53 is accepted, read back as BigInt
    ];
    for (const [field, input, expected] of cases) {
        r[field] = input;
        assert.equal(typeof r[field], typeof expected, `${field} = ${input}`);
        assert.equal(r[field], expected, `${field} = ${input}`);
        assert.equal(r.get(field), expected);
        r.extra = input; // a dynamic type's extra attribute follows the same rule
        assert.equal(r.extra, expected, `extra = ${input}`);
    }
    r.i = 5;
    assert.equal(r.getI64('i'), 5n); // typed getters: always BigInt
    r.u = 5;
    assert.equal(r.getU64('u'), 5n);
    r.n = -2147483648;
    assert.equal(typeof r.n, 'number'); // narrower kinds: always Number
    // Store sums follow the rule too; columns of 64-bit kinds are BigInt arrays.
    const s = new slots.Store(T);
    s.append({ i: MAX });
    assert.equal(s.sum('i'), MAX);
    s.append({ i: 1 });
    assert.equal(s.sum('i'), 2n ** 53n);
    assert.ok(s.column('i') instanceof BigInt64Array);
});

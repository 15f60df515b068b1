'use strict';
// Issue 10 on the Node side: integers beyond a C argument's range are refused before koffi wraps
// them, SLOTS_EBUSY maps to an Error with code 'SLOTS_EBUSY', and a dropped store refuses every use.
const test = require('node:test');
const assert = require('node:assert/strict');
const slots = require('..');

let serial = 0;
const uniq = (name) => `${name}${++serial}`;

function throwsCode(fn, Ctor, code, message) {
    assert.throws(fn, (e) => {
        assert.equal(e.constructor, Ctor, `${e.constructor.name}: ${e.message}`);
        assert.equal(e.code, code);
        if (message) assert.match(e.message, message);
        return true;
    });
}

function store3() {
    const T = slots.defineType(uniq('Ranged'), 'id: i64 key, name: str, n: i64 = 0, u: u64 = 0');
    const s = new slots.Store(T);
    for (const id of [1, 2, 3]) s.append({ id, name: `r${id}` });
    return s;
}

test('store positions beyond size_t are RangeError SLOTS_ERANGE, never another record', () => {
    const s = store3();
    for (const i of [2 ** 64, 2 ** 64 + 8192, 1e300, 2n ** 64n, 2n ** 64n + 1n, 2n ** 200n]) {
        throwsCode(() => s.at(i), RangeError, 'SLOTS_ERANGE', /store index .* does not fit in size_t/);
    }
    for (const i of [3, 2 ** 53 + 1, 2n ** 64n - 1n, -4, -(2 ** 64), -(2n ** 64n)]) {
        throwsCode(() => s.at(i), RangeError, 'SLOTS_EINDEX');
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
    throwsCode(() => r.setI64('n', 2n ** 63n), RangeError, 'SLOTS_ERANGE');
    throwsCode(() => r.setI64('n', -(2n ** 63n) - 1n), RangeError, 'SLOTS_ERANGE');
    throwsCode(() => r.setU64('u', -1), RangeError, 'SLOTS_ERANGE');
    throwsCode(() => r.setU64('u', 2n ** 64n), RangeError, 'SLOTS_ERANGE');
    throwsCode(() => { r.n = 2n ** 64n; }, RangeError, 'SLOTS_ERANGE');
    throwsCode(() => { r.u = -(2n ** 64n); }, RangeError, 'SLOTS_ERANGE');
    assert.throws(() => r.setI64('n', 1.5), TypeError);
    assert.equal(r.n, 0);
    assert.equal(r.u, 0);
    r.setU64('u', 2n ** 64n - 1n);
    assert.equal(r.u, 2n ** 64n - 1n);
    throwsCode(() => s.find(-(2n ** 63n) - 1n), RangeError, 'SLOTS_ERANGE');
    throwsCode(() => s.find(2n ** 64n), RangeError, 'SLOTS_ERANGE');
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
        throwsCode(use, Error, 'SLOTS_ESTALE');
    }
});

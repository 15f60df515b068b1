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

'use strict';
// Stores and types as apache-arrow Tables and Schemas (the C export read through koffi), checked
// value by value and null by null against the store, for every kind. Run: node --test test/
const test = require('node:test');
const assert = require('node:assert/strict');
const A = require('apache-arrow');
const slots = require('..');

let serial = 0;
const uniq = (name) => `${name}${++serial}`;

const KINDS = 'b: bool optional, i8: i8 optional, i16: i16 optional, i32: i32 optional, i64: i64 key, ' +
    'u8: u8 optional, u16: u16 optional, u32: u32 optional, u64: u64 optional, f32: f32 optional, ' +
    'f64: f64 optional, s: str optional, raw: bytes optional';

// Row i of the every-kind store: extreme values on some rows, null on every third, unset on every
// fifth (both must read as null).
function fill(store, n) {
    for (let i = 0; i < n; i++) {
        const r = store.append();
        r.i64 = BigInt(i) - 2n ** 62n;
        if (i % 5 === 4) continue; // every other field unset
        const nul = i % 3 === 2;
        const set = (name, v) => { r[name] = nul ? null : v; };
        set('b', i % 2 === 0);
        set('i8', i % 2 ? -128 : 127); set('i16', -32768 + i); set('i32', i % 2 ? -2147483648 : i);
        set('u8', 255 - (i % 256)); set('u16', 65535 - i); set('u32', 4294967295 - i); set('u64', 2n ** 64n - 1n - BigInt(i));
        set('f32', i + 0.5); set('f64', -i / 4); set('s', `é${i}`.repeat(i % 4)); set('raw', Buffer.from([i % 256, 0, 255]));
    }
}

function same(got, want, where) {
    if (want instanceof Buffer) assert.deepEqual(Buffer.from(got), want, where);
    else assert.equal(got, want, where);
}

test('a type exports its Arrow schema: every kind, nullable children, the key and the type named', () => {
    const T = slots.defineType(uniq('Kinds'), KINDS);
    const d = T.arrowSchema();
    assert.equal(d.format, '+s');
    assert.equal(d.metadata.get('libslots.type'), T.typeName);
    assert.deepEqual(d.children.map((c) => [c.name, c.format]), [
        ['b', 'b'], ['i8', 'c'], ['i16', 's'], ['i32', 'i'], ['i64', 'l'], ['u8', 'C'], ['u16', 'S'], ['u32', 'I'],
        ['u64', 'L'], ['f32', 'f'], ['f64', 'g'], ['s', 'u'], ['raw', 'z']]);
    assert.ok(d.children.every((c) => c.nullable));
    assert.deepEqual(d.children.filter((c) => c.metadata.get('libslots.key') === 'true').map((c) => c.name), ['i64']);

    const schema = T.arrowSchema(A);
    assert.ok(schema instanceof A.Schema);
    assert.deepEqual(schema.fields.map((f) => String(f.type)),
        ['Bool', 'Int8', 'Int16', 'Int32', 'Int64', 'Uint8', 'Uint16', 'Uint32', 'Uint64', 'Float32', 'Float64', 'Utf8', 'Binary']);
    assert.equal(schema.fields[4].metadata.get('libslots.key'), 'true');
    assert.equal(String(T.arrowSchema(A, { flags: slots.constants.SLOTS_ARROW_LARGE }).fields[11].type), 'LargeUtf8');
});

test('a store becomes an apache-arrow Table equal to it, value by value, null by null', () => {
    const T = slots.defineType(uniq('Kinds'), KINDS);
    const store = new slots.Store(T);
    fill(store, 250);
    const table = store.toArrow(A, { batchRows: 64 });
    assert.equal(table.numRows, 250);
    assert.deepEqual(table.batches.map((b) => b.numRows), [64, 64, 64, 58]);
    const names = T.fields.map((f) => f.name);
    const nulls = Object.fromEntries(names.map((n) => [n, 0]));
    for (let i = 0; i < store.length; i++) {
        const rec = store.at(i);
        for (const name of names) {
            const v = rec[name];
            const got = table.getChild(name).get(i);
            if (v === null || v === undefined) {
                assert.equal(got, null, `row ${i} ${name} is null`);
                nulls[name]++;
            } else if (name === 'f32') {
                assert.equal(got, Math.fround(v), `row ${i} f32`);
            } else {
                same(got, v, `row ${i} ${name}`);
            }
        }
    }
    for (const name of names) assert.equal(table.getChild(name).nullCount, nulls[name], `${name} null count`);
    assert.equal(nulls.s, 117); // 50 rows unset, 67 more null
});

test('the Table is plain JS memory: valid after the store is dropped; it round-trips through Arrow IPC', () => {
    const T = slots.defineType(uniq('Product'), 'id: i64 key, name: str, price: f64 optional');
    const store = new slots.Store(T);
    store.loadJsonl('{"id": 1, "name": "Widget", "price": 9.5}\n{"id": 2, "name": "Gadget", "price": null}\n');
    const table = store.toArrow(A, { flags: slots.constants.SLOTS_ARROW_LARGE });
    store.drop();
    assert.deepEqual(table.getChild('name').toArray(), ['Widget', 'Gadget']);
    const back = A.tableFromIPC(A.tableToIPC(table));
    assert.deepEqual(back.toArray().map((r) => r.toJSON()),
        [{ id: 1n, name: 'Widget', price: 9.5 }, { id: 2n, name: 'Gadget', price: null }]);
    assert.throws(() => store.toArrow(A), (e) => e.code === 'SLOTS_ESTALE');
});

test('an empty store is an empty Table with the schema; refs are left out; the module is required', () => {
    const Node = slots.defineType(uniq('Node'), 'id: i64, next: ref optional');
    const table = new slots.Store(Node).toArrow(A);
    assert.equal(table.numRows, 0);
    assert.deepEqual(table.schema.fields.map((f) => f.name), ['id']);
    assert.throws(() => new slots.Store(Node).toArrow(), /toArrow needs the apache-arrow module/);
});

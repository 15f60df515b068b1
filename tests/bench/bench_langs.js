'use strict';
// bench_langs.js — the Node lines of `make bench-langs`: one field read of a Product record's price,
// through the raw koffi function (slots_get_f64 with a Float64Array out-parameter) and through the
// binding's property getter, in ns/op, median of 5 repeats. Prints "label<TAB>ns/op" lines.
// Usage: node bench_langs.js [iterations]
const path = require('path');
const slots = require(path.resolve(__dirname, '..', '..', 'bindings', 'node'));

const iters = Number(process.argv[2] || 2000000);
const Product = slots.defineType('Product', 'id: i64 key, name: str, price: f64 = 0');
const p = new Product({ id: 1, name: 'Widget', price: 9.99 });
const h = p.handle;
const getF64 = slots.raw.slots_get_f64;
const out = new Float64Array(1);

function median(fn) {
    const runs = [];
    fn(Math.min(iters, 100000)); // warm up (JIT)
    for (let r = 0; r < 5; r++) {
        const t0 = process.hrtime.bigint();
        fn(iters);
        runs.push(Number(process.hrtime.bigint() - t0) / iters);
    }
    runs.sort((a, b) => a - b);
    return runs[2];
}

let sink = 0;
const raw = median((n) => { for (let i = 0; i < n; i++) { getF64(h, 2, out); sink += out[0]; } });
const prop = median((n) => { for (let i = 0; i < n; i++) sink += p.price; });
if (Number.isNaN(sink)) console.error('unexpected NaN');
console.log(`Node ${process.versions.node} (koffi ${slots.koffiVersion}, raw call)\t${raw.toFixed(2)}`);
console.log(`Node ${process.versions.node} (record.price)\t${prop.toFixed(2)}`);

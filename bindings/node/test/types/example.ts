// Type-checked by `make check-node` (tsc -p test/types): the public API as index.d.ts declares it.
// Lines marked @ts-expect-error must stay errors, so the declarations are not simply `any`.
import * as slots from 'libslots';
interface ProductFields { id: number | bigint; name: string; price: number }
const Product = slots.defineType<ProductFields>('Product', 'id: i64 key, name: str, price: f64 = 0');
const p = new Product(1, 'Widget', { price: 2 });
const price: number = p.price;
p.name = 'x';
const s = new slots.Store(Product);
const r = s.get(1);
if (r !== undefined) { const n: string = r.name; }
const first = s[0];
const a = s.at(-1).price + 1;
for (const rec of s) rec.price += 1;
const col = s.column('price');
const { values, nulls } = s.column('price', { nulls: true });
const res: slots.LoadResult = s.loadJsonlFile('x.jsonl', { skipBad: true });
const Any = slots.defineType('Any', 'x: f64');
const q = new Any({ x: 1 });
q.x = 5; q.set('x', 3).del('x');
const j = JSON.stringify(q.toJSON());
try { s.find(3); } catch (e) { const err = e as slots.SlotsError; console.log(err.code, err.line); }
const v: string = slots.version; const c: string = slots.cdefPath;
const info: slots.ArrowSchemaInfo = Product.arrowSchema();
const fmt: string = info.children[0].format;
const table = s.toArrow({ makeData: () => null }, { batchRows: 1024 });
// wrong types, which must stay errors
// @ts-expect-error
const bad: string = p.price;
// @ts-expect-error
s.get({});
// @ts-expect-error
s.toArrow();

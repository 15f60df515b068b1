// Type declarations for the libslots Node.js binding (hand-written; they follow index.js).
// A record type is defined at run time from a field-list string, so its fields are typed by a type
// argument when the caller gives one:
//
//   interface ProductFields { id: number | bigint; name: string; price: number }
//   const Product = slots.defineType<ProductFields>('Product', 'id: i64 key, name: str, price: f64 = 0');
//   const p = new Product(1, 'Widget');   // p.price: number
//   const s = new slots.Store(Product);   // Store<Product>: s.get(1)?.name, s[0], s.at(-1)
//
// Without one, fields are `any`. Integer fields (i64/u64) read as a number up to 2^53 - 1 in
// magnitude and as a bigint beyond; narrower integer kinds always as numbers.

/// <reference types="node" />

/** What a field can hold, as JS sees it: integers (number or bigint), floats, bool, str (string),
 * bytes (Buffer on read; any ArrayBufferView on write), ref (a record), null (an optional field set
 * to null), undefined (an unset field, on read). */
export type FieldValue = number | bigint | boolean | string | Buffer | ArrayBufferView | ArrayBuffer | Record | null | undefined;

/** One field of a type, as Record.fields lists it. */
export interface FieldInfo {
    name: string;
    /** 'bool', 'i8' .. 'u64', 'f32', 'f64', 'str', 'bytes' or 'ref' */
    kind: string;
    optional: boolean;
    readonly: boolean;
    key: boolean;
    /** The default as the library writes it ('0.0', '"x"'), or null for none. */
    default: string | null;
}

export interface DefineOptions {
    /** A record class to extend: its fields come first. */
    base?: RecordClass<any>;
    /** Records refuse every change after construction. */
    frozen?: boolean;
    /** Records take extra attributes by plain assignment. */
    dynamic?: boolean;
}

export interface LoadOptions {
    /** Skip bad rows (listed by loadErrors()) instead of failing the whole load. */
    skipBad?: boolean;
    /** Leave missing fields unset instead of failing (the key is still required). */
    lenient?: boolean;
}

export interface LoadResult {
    loaded: number;
    skipped: number;
    /** With skipBad and skipped rows: their errors as text. */
    errors?: string;
}

export interface LoadErrorEntry {
    line: number;
    /** CSV: the cell's column; JSON: the byte column in the line; 0: the whole row. */
    column: number;
    offset: number;
    field: string | null;
    message: string;
}

/** The error the binding throws: a TypeError, RangeError or Error (by status) with these fields. */
export interface SlotsError extends Error {
    /** The status name, e.g. 'SLOTS_ERANGE'. */
    code: string;
    /** The status number, e.g. -4. */
    status: number;
    /** A failed load's error: where it stopped (null when the load failed before any row). */
    line?: number | null;
    column?: number | null;
    offset?: number | null;
    field?: string | null;
    errors?: LoadErrorEntry[];
}

/** The base class of every record class made by defineType. */
export class Record {
    protected constructor();
    /** The record's handle, valid for every libslots call (slots.raw). */
    readonly handle: bigint;
    /** Field `name` (unknown names throw SLOTS_ENOATTR). */
    get(name: string): any;
    /** Sets field `name`; returns the record. */
    set(name: string, value: FieldValue): this;
    /** Returns field `name` to unset. */
    del(name: string): void;
    /** Whether field `name` has a value (null counts as one). */
    isSet(name: string): boolean;
    getBool(name: string): boolean | null | undefined;
    getI64(name: string): bigint | null | undefined;
    getU64(name: string): bigint | null | undefined;
    getF64(name: string): number | null | undefined;
    getStr(name: string): string | null | undefined;
    getBytes(name: string): Buffer | null | undefined;
    setBool(name: string, value: unknown): void;
    setI64(name: string, value: number | bigint | string): void;
    setU64(name: string, value: number | bigint | string): void;
    setF64(name: string, value: number | string): void;
    setStr(name: string, value: unknown): void;
    setBytes(name: string, value: ArrayLike<number> | ArrayBuffer | Buffer | string): void;
    setNull(name: string): void;
    /** Frees the record now; every object naming it then throws SLOTS_ESTALE. */
    free(): void;
    /** A deep copy, owned by the returned object. */
    copy(): this;
    /** Same type and equal fields. */
    equals(other: unknown): boolean;
    /** Python-style repr: Product(id=1, name='Widget', price=9.99). */
    toString(): string;
    /** The record as a plain JSON object (unset fields left out, bytes as base64). */
    toJSON(): { [field: string]: unknown };
}

/** A record class: `new Cls(...positional, { byName })`, in field order; defaults fill the rest. */
export interface RecordClass<R extends Record = Record> {
    new (...values: any[]): R;
    readonly prototype: R;
    /** The type's name in the library. */
    readonly typeName: string;
    readonly fields: FieldInfo[];
    /** Live records of exactly this type, in every store. */
    liveCount(): number;
    /** The type's Arrow schema: an apache-arrow Schema when that module is passed, else a plain description. */
    arrowSchema(arrow?: undefined, options?: { flags?: number }): ArrowSchemaInfo;
    arrowSchema(arrow: ArrowModule, options?: { flags?: number }): any;
    /** A record from one JSON object; strict unless { lenient: true }. */
    fromJSON(json: string | Buffer, options?: { lenient?: boolean }): R;
}

/** A record of a defined type: its fields (typed by F) and the Record methods. */
export type RecordOf<F> = Record & F;

/** Defines (or redefines) a record type from a field list ('id: i64 key, name: str, price: f64 = 0')
 * and returns its class. */
export function defineType<F extends object = { [field: string]: any }>(
    name: string, fields: string, options?: DefineOptions): RecordClass<RecordOf<F>>;

/** The class of the type the name is bound to now; throws SLOTS_ENOATTR if none. */
export function findType<F extends object = { [field: string]: any }>(name: string): RecordClass<RecordOf<F>>;

/** The apache-arrow module (`require('apache-arrow')`); the binding uses the caller's copy. */
export type ArrowModule = { makeData: (...args: any[]) => unknown; [name: string]: any };

/** An Arrow schema as the C export describes it (format strings as in the Arrow C Data Interface). */
export interface ArrowSchemaInfo {
    format: string;
    name: string;
    nullable: boolean;
    metadata: Map<string, string>;
    children: ArrowSchemaInfo[];
}

/** The column reads: one TypedArray of the field's C type. */
export type Column = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array |
    BigInt64Array | BigUint64Array | Float32Array | Float64Array;

/** A store of records of one type: positions (at, store[i], iteration) and keys, as a Map (get, has,
 * delete, keys, values, entries; find throws). */
export class Store<R extends Record = Record> implements Iterable<R> {
    constructor(recordClass: RecordClass<R>);
    /** The record at position i, as an Array element: undefined past the end. */
    readonly [position: number]: R | undefined;
    /** Number of live records. */
    readonly length: number;
    len(): number;
    /** The record at position i (negative counts from the end); RangeError past the end. */
    at(i: number | bigint): R;
    /** The record whose key equals `key`; throws SLOTS_ENOKEY when there is none. */
    find(key: number | bigint | string): R;
    /** The record whose key equals `key`, or undefined (as Map#get). */
    get(key: number | bigint | string): R | undefined;
    /** Whether a record has this key (false for a key of the wrong kind). */
    has(key: number | bigint | string): boolean;
    /** Removes the record with this key: true if there was one (as Map#delete). */
    delete(key: number | bigint | string): boolean;
    /** The keys in position order (TypeError for a type without a key field). */
    keys(): IterableIterator<number | bigint | string>;
    /** The records in position order. */
    values(): IterableIterator<R>;
    /** [key, record] pairs in position order. */
    entries(): IterableIterator<[number | bigint | string, R]>;
    /** The records as an apache-arrow Table (pass the apache-arrow module); nulls for unset and null
     * fields; valid after the store changes or is dropped. */
    toArrow(arrow: ArrowModule, options?: { batchRows?: number; flags?: number }): any;
    /** Appends a record made from the constructor's arguments (positional, then an object). */
    append(...values: any[]): R;
    remove(record: R): void;
    loadJsonl(data: string | Buffer, options?: LoadOptions): LoadResult;
    loadCsv(data: string | Buffer, options?: LoadOptions): LoadResult;
    loadJsonlFile(path: string | URL, options?: LoadOptions): LoadResult;
    loadCsvFile(path: string | URL, options?: LoadOptions): LoadResult;
    /** The errors of the last load. */
    loadErrors(): LoadErrorEntry[];
    /** How many skipped rows a skipBad load keeps in loadErrors() (default 10). */
    set loadErrorLimit(n: number);
    dumpJsonl(): string;
    /** The sum of a numeric field's set values (exact for integer fields). */
    sum(field: string): number | bigint;
    aggregate(field: string): { count: number; sum: number; min: number; max: number };
    /** A numeric or bool field of every record as a TypedArray (64-bit integers: BigInt arrays). */
    column(field: string): Column;
    column(field: string, options: { nulls: true }): { values: Column; nulls: Uint8Array };
    clear(): void;
    /** Frees the store and its records now. */
    drop(): void;
    [Symbol.iterator](): Iterator<R>;
}

export const version: string;
export const versionNumber: number;
/** The library as asked for: SLOTS_LIBRARY, the repository's build, or the soname 'libslots.so.1'. */
export const libraryPath: string;
/** The library file the loader mapped (null where /proc is not available). */
export const libraryFile: string | null;
/** The ABI description that was read. */
export const cdefPath: string;
export const koffiVersion: string;
/** The library's constants (SLOTS_ statuses, kinds, flags) by name. */
export const constants: { readonly [name: string]: number };
/** The error the binding throws for status `status`. */
export function errorFor(status: number, message?: string): SlotsError;
/** The raw koffi functions, named as in slots.h. */
export const raw: { readonly [name: string]: (...args: any[]) => any };

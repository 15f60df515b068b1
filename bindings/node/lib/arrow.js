'use strict';
// Stores and types as Apache Arrow data for Node: the C export (slots_store_export_stream,
// slots_type_export_schema: the Arrow C Data and Stream Interface) read through koffi and turned into
// the apache-arrow package's Table, Schema and RecordBatch — what a Node user hands to Arrow-speaking
// code (tableToIPC for files, sockets and engines that read Arrow IPC; Arquero; Perspective; ...).
// The caller passes in its own apache-arrow module, so the binding depends on no version of it and
// the objects it makes are instances of the caller's classes.
//
// Each batch's buffers are copied out of C once, then the batch is released: the Table is plain JS
// memory, valid after the store changes or is dropped.

const koffi = require('koffi');

// The callbacks of the C structs, called through koffi with the struct's address.
const GET_SCHEMA = koffi.proto('int __slots_arrow_get_schema(void *stream, void *out)');
const GET_NEXT = koffi.proto('int __slots_arrow_get_next(void *stream, void *out)');
const GET_LAST_ERROR = koffi.proto('const char *__slots_arrow_get_last_error(void *stream)');
const RELEASE = koffi.proto('void __slots_arrow_release(void *p)');

const isNull = (p) => p === null || koffi.address(p) === 0n;

// The spec's metadata encoding: int32 count, then int32 length + bytes for each key and each value.
function readMetadata(ptr) {
    const meta = new Map();
    if (isNull(ptr)) return meta;
    let at = 4;
    const next = () => {
        const len = koffi.decode(ptr, at, 'int32_t');
        const text = len ? koffi.decode(ptr, at + 4, 'char', len) : '';
        at += 4 + len;
        return text;
    };
    for (let i = koffi.decode(ptr, 'int32_t'); i > 0; i--) {
        const key = next();
        meta.set(key, next());
    }
    return meta;
}

// An ArrowSchema (the struct at ptr) as a plain description: { format, name, nullable, metadata,
// children }.
function describeSchema(ptr) {
    const s = koffi.decode(ptr, 'ArrowSchema');
    const n = Number(s.n_children);
    const childPtrs = n ? koffi.decode(s.children, 'void *', n) : [];
    return {
        format: s.format,
        name: s.name || '',
        nullable: (Number(s.flags) & 2) !== 0, // ARROW_FLAG_NULLABLE
        // binary (it holds NULs): its address, not the string koffi makes of a const char *
        metadata: readMetadata(koffi.decode(ptr, koffi.offsetof('ArrowSchema', 'metadata'), 'void *')),
        children: childPtrs.map(describeSchema),
    };
}

// The apache-arrow DataType of each format the export makes with the default flags and
// SLOTS_ARROW_LARGE (views are not read here: apache-arrow 21 makes no Utf8View data from buffers).
const TYPES = {
    b: (A) => new A.Bool(), c: (A) => new A.Int8(), s: (A) => new A.Int16(), i: (A) => new A.Int32(),
    l: (A) => new A.Int64(), C: (A) => new A.Uint8(), S: (A) => new A.Uint16(), I: (A) => new A.Uint32(),
    L: (A) => new A.Uint64(), f: (A) => new A.Float32(), g: (A) => new A.Float64(),
    u: (A) => new A.Utf8(), U: (A) => new A.LargeUtf8(), z: (A) => new A.Binary(), Z: (A) => new A.LargeBinary(),
};
// Bytes per value of the fixed-width formats ('b' is a bitmap), and the typed array of each.
const WIDTH = { c: 1, s: 2, i: 4, l: 8, C: 1, S: 2, I: 4, L: 8, f: 4, g: 8 };
const ARRAYS = {
    c: Int8Array, s: Int16Array, i: Int32Array, l: BigInt64Array, C: Uint8Array, S: Uint16Array,
    I: Uint32Array, L: BigUint64Array, f: Float32Array, g: Float64Array,
};

function arrowField(A, d) {
    const make = TYPES[d.format];
    if (!make) throw new TypeError(`libslots arrow: field '${d.name}' has Arrow format '${d.format}', which this reader does not take`);
    return new A.Field(d.name, make(A), d.nullable, d.metadata);
}

function arrowSchema(A, d) {
    return new A.Schema(d.children.map((c) => arrowField(A, c)), d.metadata);
}

// `bytes` bytes at ptr, copied into a fresh, aligned ArrayBuffer.
function copyBytes(ptr, bytes) {
    return bytes === 0 ? new Uint8Array(0) : new Uint8Array(koffi.view(ptr, bytes)).slice();
}

// One child array of a batch (the ArrowArray struct at ptr) as apache-arrow Data.
function childData(A, field, format, ptr) {
    const a = koffi.decode(ptr, 'ArrowArray');
    const length = Number(a.length), offset = Number(a.offset);
    if (offset !== 0) throw new Error('libslots arrow: an array offset other than 0 is not read here');
    const bufs = koffi.decode(a.buffers, 'void *', Number(a.n_buffers));
    const nullCount = Number(a.null_count);
    const nullBitmap = isNull(bufs[0]) ? undefined : copyBytes(bufs[0], Math.ceil(length / 8));
    const base = { type: field.type, length, nullCount, nullBitmap };
    if (format === 'b') return A.makeData({ ...base, data: copyBytes(bufs[1], Math.ceil(length / 8)) });
    if (WIDTH[format]) {
        const bytes = copyBytes(bufs[1], length * WIDTH[format]);
        return A.makeData({ ...base, data: new ARRAYS[format](bytes.buffer, 0, length) });
    }
    const large = format === 'U' || format === 'Z';
    const Offsets = large ? BigInt64Array : Int32Array;
    const offsets = new Offsets(copyBytes(bufs[1], (length + 1) * Offsets.BYTES_PER_ELEMENT).buffer);
    const end = Number(offsets[length]);
    return A.makeData({ ...base, valueOffsets: offsets, data: copyBytes(bufs[2], end) });
}

// One batch (a struct ArrowArray at ptr) as an apache-arrow RecordBatch of `schema`.
function recordBatch(A, schema, desc, ptr) {
    const top = koffi.decode(ptr, 'ArrowArray');
    const n = Number(top.n_children);
    const childPtrs = n ? koffi.decode(top.children, 'void *', n) : [];
    const children = childPtrs.map((p, i) => childData(A, schema.fields[i], desc.children[i].format, p));
    const data = A.makeData({ type: new A.Struct(schema.fields), length: Number(top.length), nullCount: 0, children });
    return new A.RecordBatch(schema, data);
}

function release(ptr, type) {
    const fn = koffi.decode(ptr, type).release;
    if (!isNull(fn)) koffi.call(fn, RELEASE, ptr);
}

// The error a stream callback's non-zero status means, with the stream's own words.
function streamError(stream, status, what) {
    const fn = koffi.decode(stream, 'ArrowArrayStream').get_last_error;
    const msg = isNull(fn) ? null : koffi.call(fn, GET_LAST_ERROR, stream);
    const e = new Error(`libslots arrow: ${what} failed: ${msg || `errno ${status}`}`);
    e.errno = status;
    return e;
}

/** The type's Arrow schema: a plain description ({ format, name, nullable, metadata, children }),
 * or an apache-arrow Schema when the apache-arrow module is passed. `exportSchema(flags, structPtr)`
 * fills the C struct (slots_type_export_schema) and returns its status. */
function typeSchema(exportSchema, flags, A) {
    const ptr = koffi.alloc('ArrowSchema', 1);
    try {
        exportSchema(flags, ptr);
        try {
            const desc = describeSchema(ptr);
            return A ? arrowSchema(A, desc) : desc;
        } finally {
            release(ptr, 'ArrowSchema');
        }
    } finally {
        koffi.free(ptr);
    }
}

/** Reads a whole C stream into an apache-arrow Table, releasing every batch and the stream.
 * `exportStream(streamPtr)` fills the ArrowArrayStream struct (slots_store_export_stream). */
function streamTable(A, exportStream) {
    const stream = koffi.alloc('ArrowArrayStream', 1);
    const schemaPtr = koffi.alloc('ArrowSchema', 1);
    const arrayPtr = koffi.alloc('ArrowArray', 1);
    try {
        exportStream(stream);
        try {
            const s = koffi.decode(stream, 'ArrowArrayStream');
            let st = koffi.call(s.get_schema, GET_SCHEMA, stream, schemaPtr);
            if (st !== 0) throw streamError(stream, st, 'get_schema');
            let desc;
            try {
                desc = describeSchema(schemaPtr);
            } finally {
                release(schemaPtr, 'ArrowSchema');
            }
            const schema = arrowSchema(A, desc);
            const batches = [];
            for (;;) {
                st = koffi.call(s.get_next, GET_NEXT, stream, arrayPtr);
                if (st !== 0) throw streamError(stream, st, 'get_next');
                if (isNull(koffi.decode(arrayPtr, 'ArrowArray').release)) break; // the end
                try {
                    batches.push(recordBatch(A, schema, desc, arrayPtr));
                } finally {
                    release(arrayPtr, 'ArrowArray');
                }
            }
            return new A.Table(schema, batches);
        } finally {
            release(stream, 'ArrowArrayStream');
        }
    } finally {
        koffi.free(arrayPtr);
        koffi.free(schemaPtr);
        koffi.free(stream);
    }
}

module.exports = { typeSchema, streamTable };

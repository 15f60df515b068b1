'use strict';
// Reads ffi/slots.cdef — the generated, preprocessor-free declarations of libslots — and turns it into
// koffi types, constants and functions, so the Node binding declares nothing by hand.
//
// The cdef has six shapes of declaration, one per statement: `enum { NAME = value, ... };`, `struct X { members };`,
// `typedef struct X X;` (opaque), `typedef struct X { members } X;`, `typedef T NAME;` and
// `typedef R (*NAME)(params);`, plus one function prototype per line. koffi parses prototypes itself;
// every type a prototype names is declared before any prototype is, because koffi 3.3.4 aborts the
// process (instead of throwing) on an unknown type after `const` in a prototype.

const koffi = require('koffi');

function statements(text) {
    return text
        .replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, '')
        .split(';')
        .map((s) => s.replace(/\s+/g, ' ').trim())
        .filter((s) => s.length > 0);
}

// `const char *name` -> ['const char *', 'name']
function splitDecl(decl) {
    const m = /^(.*?)([A-Za-z_]\w*)$/.exec(decl.trim());
    if (!m) throw new Error(`slots cdef: cannot read declaration '${decl}'`);
    return [m[1].trim(), m[2]];
}

// Declares the cdef's types in koffi and returns { constants, prototypes: Map(name -> text) }.
function parse(text) {
    koffi.alias('unsigned', 'unsigned int');
    const constants = Object.create(null);
    const prototypes = new Map();
    text = text.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, '');
    // Struct bodies hold ';' themselves: take them out first, in order of appearance. A plain
    // `struct X { ... };` (the Arrow C Data Interface's) is declared under its tag; its function
    // pointer and struct pointer members are plain pointers (read with koffi.decode, called with
    // koffi.call), since koffi cannot name a struct inside its own definition.
    text = text.replace(/(typedef\s+)?struct\s+(\w+)\s*\{([^}]*)\}\s*(\w*)\s*;/g, (all, td, tag, body, name) => {
        const members = {};
        for (const decl of statements(body)) {
            const fnptr = /\(\s*\*\s*(\w+)\s*\)\s*\(/.exec(decl);
            const [type, field] = fnptr ? ['void *', fnptr[1]] : splitDecl(decl);
            members[field] = /^struct\b.*\*$/.test(type) ? 'void *' : type;
        }
        koffi.struct(td ? name : tag, members);
        return '';
    });
    let m;
    for (const st of statements(text)) {
        if ((m = /^enum \{(.*)\}$/.exec(st))) {
            for (const item of m[1].split(',')) {
                const kv = /^\s*([A-Za-z_]\w*)\s*=\s*(-?(?:0x[0-9a-fA-F]+|\d+))\s*$/.exec(item);
                if (kv) constants[kv[1]] = Number(kv[2]);
            }
        } else if ((m = /^typedef struct (\w+) (\w+)$/.exec(st))) {
            koffi.opaque(m[2]);
        } else if ((m = /^typedef (.+?) \( ?\* ?(\w+) ?\) ?\((.*)\)$/.exec(st))) {
            koffi.pointer(m[2], koffi.proto(`${m[1]} __${m[2]}_fn(${m[3]})`));
        } else if ((m = /^typedef (.+?) (\w+)$/.exec(st))) {
            koffi.alias(m[2], m[1]);
        } else if ((m = /(\bslots_\w+) ?\(/.exec(st))) {
            prototypes.set(m[1], st.replace(/\bstruct /g, '')); // koffi names struct types by their tag
        } else {
            throw new Error(`slots cdef: cannot read '${st}'`);
        }
    }
    return { constants, prototypes };
}

// Binds every prototype of the cdef in `lib`. A prototype koffi cannot express (a function-pointer
// parameter written inline, as slots_method_bind's) is left out and reported in `unbound`.
function bind(lib, prototypes) {
    const fns = Object.create(null);
    const unbound = Object.create(null);
    for (const [name, proto] of prototypes) {
        try {
            fns[name] = lib.func(proto);
        } catch (e) {
            unbound[name] = e.message;
        }
    }
    return { fns, unbound };
}

module.exports = { parse, bind };

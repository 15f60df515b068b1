#!/usr/bin/env python3
"""Generates ffi/slots.cdef — the FFI declarations of libslots — from include/slots.h.

The output is plain C that cffi's ffi.cdef() and LuaJIT's ffi.cdef() both parse: no comments, no
preprocessor lines, no SLOTS_API, no extern "C" block. Integer macros become one anonymous enum
(`enum { SLOTS_OK = 0, ... };`): cffi exposes enum constants as lib.SLOTS_OK exactly as it would a
`#define`, and LuaJIT, which has no preprocessor at all, accepts the enum too. Only the constants
cross into the enum; every function keeps its plain `int` / `unsigned` parameters, so the ABI does not
depend on an enum's size.

Usage:  gen_cdef.py [include/slots.h] [-o ffi/slots.cdef]      ("-o -" writes to stdout)
Python >= 3.6, standard library only; importable (generate(text) -> str) so a build step or a
binding can run it in-process.
"""
import argparse
import os
import re
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_HEADER = os.path.join(_HERE, os.pardir, "include", "slots.h")
DEFAULT_OUTPUT = os.path.join(_HERE, "slots.cdef")

_COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)
_DIRECTIVE = re.compile(r"^\s*#\s*(\w+)\s*(.*?)\s*$")
_DEFINE = re.compile(r"^([A-Za-z_]\w*)(\([^)]*\))?\s*(.*)$")
_INT_SUFFIX = re.compile(r"\b((?:0[xX][0-9a-fA-F]+)|(?:\d+))[uUlL]+\b")


class GenError(Exception):
    pass


def _eval_int(expr, consts):
    """Evaluates a C integer constant expression made of literals and earlier constants, or None."""
    if not expr:
        return None
    py = _INT_SUFFIX.sub(r"\1", expr)
    tokens = re.findall(r"[A-Za-z_]\w*", re.sub(r"\b0[xX][0-9a-fA-F]+|\b\d+", " ", py))
    for tok in tokens:
        if tok not in consts:
            return None
    if not re.fullmatch(r"[\w\s()+\-*/<>|&~^]*", py):
        return None
    py = py.replace("/", "//")
    try:
        value = eval(py, {"__builtins__": {}}, dict(consts))  # names checked above: constants only
    except Exception:
        return None
    return value if isinstance(value, int) else None


def _condition(kind, arg, defined):
    """Truth of an #if/#ifdef/#ifndef line, for the few shapes a public header uses."""
    if kind == "ifdef":
        return arg in defined
    if kind == "ifndef":
        return arg not in defined
    # #if: handle defined(X) && defined(Y) / || / ! and plain integers; unknown names are 0.
    expr = re.sub(r"defined\s*\(\s*(\w+)\s*\)|defined\s+(\w+)",
                  lambda m: "1" if (m.group(1) or m.group(2)) in defined else "0", arg)
    expr = expr.replace("&&", " and ").replace("||", " or ")
    expr = re.sub(r"!(?!=)", " not ", expr)
    expr = re.sub(r"\b[A-Za-z_]\w*\b", lambda m: m.group(0) if m.group(0) in ("and", "or", "not") else "0", expr)
    try:
        return bool(eval(expr, {"__builtins__": {}}, {}))
    except Exception as exc:
        raise GenError("cannot evaluate #if %s" % arg) from exc


def generate(header_text):
    """Returns the cdef text for the given header text."""
    text = _COMMENT.sub(" ", header_text)
    text = re.sub(r"\\\n", " ", text)  # line continuations
    defined = set()       # macros defined so far in active regions (any value)
    consts = {}           # integer macros, in order
    strip = set()         # macros that expand to nothing (SLOTS_API) or to non-integers
    stack = []            # (active, taken) per open conditional
    body = []
    for line in text.split("\n"):
        m = _DIRECTIVE.match(line)
        active = all(a for a, _ in stack)
        if m:
            kind, arg = m.group(1), m.group(2)
            if kind in ("if", "ifdef", "ifndef"):
                cond = active and _condition(kind, arg, defined)
                stack.append((cond, cond))
            elif kind == "elif":
                _, taken = stack.pop()
                parent = all(a for a, _ in stack)
                cond = parent and not taken and _condition("if", arg, defined)
                stack.append((cond, taken or cond))
            elif kind == "else":
                _, taken = stack.pop()
                parent = all(a for a, _ in stack)
                stack.append((parent and not taken, True))
            elif kind == "endif":
                stack.pop()
            elif kind == "define" and active:
                d = _DEFINE.match(arg)
                if not d:
                    raise GenError("cannot parse #define %s" % arg)
                name, params, value = d.group(1), d.group(2), d.group(3).strip()
                defined.add(name)
                if params:
                    raise GenError("function-like macro %s cannot cross an FFI" % name)
                ivalue = _eval_int(value, consts)
                if ivalue is not None:
                    consts[name] = ivalue
                else:
                    strip.add(name)
            elif kind in ("include", "undef", "pragma", "error", "warning") or not active:
                pass
            else:
                raise GenError("unexpected directive #%s" % kind)
            continue
        if active:
            body.append(line)
    if stack:
        raise GenError("unbalanced #if in header")
    code = "\n".join(body)
    for name in strip:
        if name.startswith("SLOTS_") and name != "SLOTS_H":
            code = re.sub(r"\b%s\b" % re.escape(name), " ", code)
    # One declaration per line, struct members one per line, blanks normalised.
    code = re.sub(r"\s+", " ", code)
    code = re.sub(r"\s*([;{}(),])\s*", r"\1", code)
    code = re.sub(r"\s*\*\s*", " *", code)
    code = re.sub(r"\* \*", "**", code)
    code = code.replace(",", ", ").replace("{", " {")
    code = re.sub(r"(\w)\( \*", r"\1 (*", code)  # function pointers: void (*fn)(void)
    lines = []
    depth = 0
    stmt = ""
    for ch in code:
        stmt += ch
        if ch == "{":
            lines.append("    " * depth + stmt.strip())
            depth += 1
            stmt = ""
        elif ch == "}":
            depth -= 1
            stmt = "}"
        elif ch == ";":
            lines.append("    " * depth + stmt.strip().replace("}", "} ", 1).replace("} ;", "};"))
            stmt = ""
    if stmt.strip():
        raise GenError("trailing text after the last declaration: %r" % stmt.strip())
    if any("extern" in ln for ln in lines):
        raise GenError("an extern block survived preprocessing")
    out = []
    out.append("enum {")
    for name, value in consts.items():
        out.append("    %s = %d," % (name, value))
    out.append("};")
    out.extend(lines)
    return "\n".join(out) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("header", nargs="?", default=DEFAULT_HEADER)
    ap.add_argument("-o", "--output", default=DEFAULT_OUTPUT)
    args = ap.parse_args(argv)
    with open(args.header, encoding="utf-8") as f:
        cdef = generate(f.read())
    if args.output == "-":
        sys.stdout.write(cdef)
        return 0
    tmp = args.output + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(cdef)
    os.replace(tmp, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())

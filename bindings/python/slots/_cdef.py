"""Finds and reads the one ABI description of libslots: the generated ffi/slots.cdef.

Both backends take their knowledge of the C API from it: cffi feeds it to ffi.cdef(), the ctypes
backend parses the same text into argtypes/restype, and the status, kind and flag constants come from
its enum. Nothing here is a hand-kept copy of include/slots.h.
"""
import os
import re

_PKG = os.path.dirname(os.path.abspath(__file__))
_REPO = os.path.normpath(os.path.join(_PKG, os.pardir, os.pardir, os.pardir))

# Where the declarations are looked for: inside the installed package, then the source tree.
PACKAGED = os.path.join(_PKG, "slots.cdef")
REPO_CDEF = os.path.join(_REPO, "ffi", "slots.cdef")
REPO_HEADER = os.path.join(_REPO, "include", "slots.h")
REPO_GENERATOR = os.path.join(_REPO, "ffi", "gen_cdef.py")


def _generate_from_header():
    """Runs ffi/gen_cdef.py in-process on include/slots.h (a source checkout without a build)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("_slots_gen_cdef", REPO_GENERATOR)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    with open(REPO_HEADER, encoding="utf-8") as f:
        return mod.generate(f.read())


def load_text():
    """Returns (cdef_text, where_it_came_from). Raises ImportError when there is none."""
    if os.path.exists(PACKAGED):
        with open(PACKAGED, encoding="utf-8") as f:
            return f.read(), PACKAGED
    if os.path.exists(REPO_HEADER) and os.path.exists(REPO_GENERATOR):
        fresh = os.path.exists(REPO_CDEF) and os.path.getmtime(REPO_CDEF) >= os.path.getmtime(REPO_HEADER)
        if fresh:
            with open(REPO_CDEF, encoding="utf-8") as f:
                return f.read(), REPO_CDEF
        return _generate_from_header(), REPO_HEADER + " (via ffi/gen_cdef.py)"
    raise ImportError(
        "slots: the FFI declarations (slots.cdef) are missing: looked for %s and %s. Reinstall the "
        "package, or in a source tree run `python3 ffi/gen_cdef.py`." % (PACKAGED, REPO_CDEF))


_ENUM = re.compile(r"enum\s*\{(.*?)\}\s*;", re.S)
_FUNC = re.compile(r"^\s*(.+?)\b(slots_\w+)\s*\((.*)\)\s*;\s*$")


def constants(text):
    """The integer constants of the cdef's anonymous enum, as a dict."""
    out = {}
    for body in _ENUM.findall(text):
        for item in body.split(","):
            item = item.strip()
            if item:
                name, value = item.split("=")
                out[name.strip()] = int(value.strip(), 0)
    return out


def _norm(ctype):
    return re.sub(r"\s+", " ", ctype.replace("*", " * ")).strip()


def _split_params(params):
    """Splits a parameter list at top-level commas (function-pointer parameters have their own)."""
    out, depth, cur = [], 0, ""
    for ch in params:
        if ch == "," and depth == 0:
            out.append(cur)
            cur = ""
            continue
        depth += ch == "("
        depth -= ch == ")"
        cur += ch
    out.append(cur)
    return out


def functions(text):
    """{name: (return_type, [param_type, ...])} for every function declaration; types normalised
    ("const char * *", "slots_obj", ...), parameter names dropped."""
    out = {}
    text = _ENUM.sub("", text)
    for line in text.split("\n"):
        m = _FUNC.match(line)
        if not m or line.lstrip().startswith("typedef"):
            continue
        ret, name, params = _norm(m.group(1)), m.group(2), m.group(3).strip()
        ptypes = []
        if params and params != "void":
            for p in _split_params(params):
                p = _norm(p)
                if "(" in p:
                    ptypes.append("(*)")  # a function pointer
                    continue
                p = re.sub(r"\s*\b[A-Za-z_]\w*$", "", p) if not p.endswith("*") else p
                ptypes.append(_norm(p))
        out[name] = (ret, ptypes)
    return out


# The C functions the binding calls; a library without one of them is refused at import, and the
# API-mode extension declares only these (so a library with extra or newer functions serves it).
REQUIRED = frozenset("""
slots_version slots_version_number slots_errmsg slots_strerror slots_type_define slots_type_nfields
slots_type_record_size slots_field_name slots_field_kind slots_field_flags slots_field_default
slots_field_ref_type slots_kind_name slots_new slots_new_blank slots_free slots_type_of slots_copy
slots_equal slots_compare slots_hash slots_repr slots_to_json slots_from_json slots_set_bool
slots_get_bool slots_set_i64 slots_get_i64 slots_set_u64 slots_get_u64 slots_set_f64 slots_get_f64
slots_set_str slots_get_str slots_set_bytes slots_get_bytes slots_set_ref slots_get_ref
slots_set_null slots_del slots_is_set slots_extra_set_bool slots_extra_set_i64 slots_extra_set_u64
slots_extra_set_f64 slots_extra_set_str slots_extra_set_bytes slots_extra_set_null slots_extra_kind
slots_extra_get_bool slots_extra_get_i64 slots_extra_get_u64 slots_extra_get_f64 slots_extra_get_str
slots_extra_get_bytes slots_extra_get_ref slots_extra_del slots_extra_count slots_extra_name
slots_memory_used slots_type_memory slots_type_count
slots_field_offset slots_field_size slots_errcode slots_errno
slots_store_new slots_store_drop slots_store_len slots_store_append slots_store_remove slots_store_at
slots_store_next slots_store_clear slots_store_reserve slots_store_find_i64 slots_store_find_u64
slots_store_find_str slots_store_memory slots_store_load_jsonl slots_store_load_jsonl_file
slots_store_load_csv slots_store_load_csv_file slots_store_load_errors slots_store_dump_jsonl
slots_store_dump_jsonl_file slots_store_dump_csv slots_store_dump_csv_file slots_store_column_read
slots_store_column_write slots_store_aggregate slots_store_sum_i64
slots_store_column_read_validity slots_store_cancel_load slots_store_set_load_progress
slots_type_ffi_type slots_record_ptr_unchecked slots_method_bind slots_method_bind_symbol slots_call
slots_method_count slots_method_name slots_method_signature slots_method_flags
slots_field_set_validator
slots_from_json_flags slots_store_load_error_list slots_store_load_error_get slots_store_set_load_error_limit
slots_to_json_flags slots_store_dump_jsonl_flags slots_store_dump_jsonl_file_flags
slots_store_load_json_values slots_loader_begin slots_loader_feed slots_loader_commit slots_loader_abort
slots_store_upsert slots_store_replace slots_store_remove_key_i64 slots_store_remove_key_u64
slots_store_remove_key_str slots_store_dump_json_select slots_store_dump_json_range
slots_store_dump_json_keys_i64 slots_store_dump_json_keys_str
""".split())


def required_only(text):
    """The cdef with only the REQUIRED function declarations (types and constants kept)."""
    out = []
    for line in text.split("\n"):
        m = _FUNC.match(line)
        if m and not line.lstrip().startswith("typedef") and m.group(2) not in REQUIRED:
            continue
        out.append(line)
    return "\n".join(out)


def api_signature(text):
    """What a compiled API-mode extension depends on: the typedefs and the REQUIRED function
    declarations (constants are read from the cdef text at run time, not from the extension)."""
    keep = []
    for line in required_only(_ENUM.sub("", text)).split("\n"):
        line = line.strip()
        if line:
            keep.append(line)
    return "\n".join(keep)

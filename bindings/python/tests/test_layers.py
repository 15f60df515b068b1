"""The package's modules import one way. Each module of bindings/python/slots is parsed (ast, not
imported) and its imports of other modules of the package, at module level and inside functions,
make a graph that must have no cycle and must follow LAYERS; an import inside a function is refused
unless LAZY lists it with its reason (an optional module, never a way round a cycle)."""
import ast
import os
import pickle

PKG = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "slots")

# Bottom to top (README, Package layout): a module imports only modules listed before it.
LAYERS = [
    "_ranges", "_cdef", "_build_cffi", "_backend_ctypes", "_backend_cffi",  # ABI and backends
    "_lib",  # backend choice, library loading, C constants
    "_errors", "_kinds", "_handles",
    "_convert", "_extras", "_methods", "_annotations",  # what the class builder puts together
    "_bridge", "_loader", "_store", "_builder", "_record",
    "_api", "__init__",
]

# The only imports allowed inside a function: (importer, imported) -> why it is lazy.
LAZY = {
    ("_lib", "_backend_cffi"): "cffi is optional, and SLOTS_BACKEND=ctypes must not import it",
    ("_backend_cffi", "_slots_cffi"): "the compiled cffi API-mode extension is optional",
}
COMPILED = {"_slots_cffi"}  # a module of the package that is not a .py file

# Bound once by _record (_handles.bind_root): `from ._handles import Record` would copy the None.
LATE_BOUND = {"Record", "RecordMeta", "_hslot", "_geth", "_seth"}


def intra_imports(source, package="slots"):
    """[(imported module, names taken from it, inside a function?)] for the imports of modules of
    `package` in one module's source."""
    out = []

    def visit(node, in_function):
        for child in ast.iter_child_nodes(node):
            nested = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            if isinstance(child, ast.ImportFrom):
                out.extend((m, names, in_function) for m, names in _from_targets(child, package))
            elif isinstance(child, ast.Import):
                for a in child.names:
                    parts = a.name.split(".")
                    if parts[0] == package and len(parts) > 1:
                        out.append((parts[1], (), in_function))
            visit(child, nested)

    visit(ast.parse(source), False)
    return out


def _from_targets(node, package):
    names = tuple(a.name for a in node.names)
    if node.level > 1:
        raise AssertionError("import from outside the package: %s" % ast.dump(node))
    if node.level == 1:
        module = node.module
    elif node.module == package or (node.module or "").startswith(package + "."):
        module = node.module[len(package) + 1:] or None
    else:
        return []
    if module is None:  # from . import a, b: each name is a module
        return [(n, ()) for n in names]
    return [(module.split(".")[0], names)]


def find_cycle(graph):
    """A list of modules forming a cycle in {module: set(imported)}, or None."""
    state, stack = {}, []

    def dfs(m):
        state[m] = "open"
        stack.append(m)
        for n in sorted(graph.get(m, ())):
            if state.get(n) == "open":
                return stack[stack.index(n):] + [n]
            if n not in state:
                found = dfs(n)
                if found:
                    return found
        stack.pop()
        state[m] = "done"
        return None

    for m in sorted(graph):
        if m not in state:
            found = dfs(m)
            if found:
                return found
    return None


def _package():
    mods = {}
    for fn in sorted(os.listdir(PKG)):
        if fn.endswith(".py"):
            with open(os.path.join(PKG, fn)) as f:
                mods[fn[:-3]] = intra_imports(f.read())
    return mods


def test_every_module_has_a_layer():
    assert sorted(_package()) == sorted(LAYERS)


def test_imports_only_go_down():
    for mod, imports in _package().items():
        for target, _names, _lazy in imports:
            if target in COMPILED:
                continue
            assert LAYERS.index(target) < LAYERS.index(mod), "%s imports %s, not below it" % (mod, target)


def test_no_import_inside_a_function_but_the_optional_ones():
    for mod, imports in _package().items():
        for target, _names, lazy in imports:
            assert not lazy or (mod, target) in LAZY, "%s imports %s inside a function" % (mod, target)


def test_import_graph_has_no_cycle():
    graph = {mod: {t for t, _n, _l in imports} for mod, imports in _package().items()}
    assert find_cycle(graph) is None


def test_late_bound_root_is_read_at_call_time():
    for mod, imports in _package().items():
        for target, names, _lazy in imports:
            if target == "_handles":
                copied = LATE_BOUND & set(names)
                assert not copied, "%s copies %s from _handles" % (mod, copied)


def test_the_checks_see_what_they_refuse():
    src = ("from . import _a\nfrom ._b import x\nimport slots._c\nimport os\n"
           "def f():\n    from ._d import y\nclass K:\n    def m(self):\n        from slots import _e\n")
    got = intra_imports(src)
    assert got == [("_a", (), False), ("_b", ("x",), False), ("_c", (), False), ("_d", ("y",), True),
                   ("_e", (), True)]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_pickles_name_the_same_module_as_before_the_split(slots):
    """Record pickles refer to slots._api._blank (and _DefinedRef, kinds, MISSING), as they did when
    _api.py held everything: pickles written before and after the split load alike."""
    T = slots.define("LayersPickled", "id: i64, name: str")
    data = pickle.dumps(T(id=1, name="a"))
    assert b"slots._api" in data and b"_blank" in data and b"_DefinedRef" in data
    assert pickle.loads(data) == T(id=1, name="a")
    for obj in (slots.u8, slots.MISSING):
        data = pickle.dumps(obj)
        assert b"slots._api" in data and pickle.loads(data) is obj


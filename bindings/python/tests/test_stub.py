"""The type stub slots/__init__.pyi (what mypy and pyright read instead of the modules) describes the
package as it is: exactly the names of slots.__all__, and every public method of Store, RecordMeta and
Record, no more and no fewer. make check-typing runs mypy itself (tests/typing)."""
import ast
import os
import sys

import pytest

STUB = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "slots", "__init__.pyi")
# The special methods the stub types (RecordMeta's __new__/__init__ are the class statement's).
SPECIAL = {"__init__", "__class_getitem__", "__len__", "__getitem__", "__iter__", "__bool__",
           "__contains__", "__sizeof__", "__arrow_c_stream__"}


def _stub():
    with open(STUB, encoding="utf-8") as f:
        return ast.parse(f.read())


def _stub_names(tree):
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.AnnAssign):
            names.add(node.target.id)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets)
    return {n for n in names if not n.startswith("_")}


def _stub_methods(tree, cls):
    body = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == cls).body
    return ({n.name for n in body if isinstance(n, ast.FunctionDef)}
            | {n.target.id for n in body if isinstance(n, ast.AnnAssign)})


def _public(obj):
    special = SPECIAL - {"__init__"} if isinstance(obj, type) and issubclass(obj, type) else SPECIAL
    return {n for n, v in vars(obj).items() if callable(v) or isinstance(v, (property, classmethod))
            if not n.startswith("_") or n in special}


def test_stub_names_all(slots):
    assert _stub_names(_stub()) == set(slots.__all__)


@pytest.mark.parametrize("cls", ["Store", "RecordMeta", "Record"])
def test_stub_methods_match(slots, cls):
    runtime = _public(getattr(slots, cls))
    assert _stub_methods(_stub(), cls) == runtime


def test_runtime_typing_hooks(slots):
    assert slots.Store[int].__origin__ is slots.Store  # Store[Product] in run-time annotations
    if sys.version_info >= (3, 11):  # typing.dataclass_transform marks them (PEP 681)
        for obj in (slots.record, slots.RecordMeta):
            assert obj.__dataclass_transform__["field_specifiers"] == (slots.field, slots.key)
    assert os.path.exists(os.path.join(os.path.dirname(STUB), "py.typed"))

"""Strict loads and from_json (a missing field without a default is refused, as the constructor
refuses a missing argument; lenient=True leaves it unset, never the key), and the structured
errors of loads (.line, .column, .offset, .field, .errors; store.load_errors), on every backend."""
from typing import Optional

import pytest


@pytest.fixture
def Item(slots):
    @slots.record
    class Item:
        id: int = slots.key()
        name: str
        tag: Optional[str]
        price: float = 0.0
    return Item


def _unchanged(store, before):
    assert store.dump_jsonl() == before


def test_constructor_and_loads_agree(Item):
    with pytest.raises(TypeError, match="missing 1 required positional argument: 'tag'"):
        Item(1, "a")
    s = Item.store()
    with pytest.raises(TypeError) as info:
        s.load_jsonl(b'{"id": 1, "name": "a", "tag": null}\n{"id": 2, "name": "b"}\n')
    assert str(info.value) == "line 2: missing field 'tag'"
    assert len(s) == 0


def test_missing_fields_jsonl(slots, Item):
    s = Item.store()
    s.load_jsonl(b'{"id": 1, "name": "a", "tag": null}\n')
    before = s.dump_jsonl()
    text = b'{"id": 2, "name": "b", "tag": "t"}\n\n{"id": 3}\n'
    with pytest.raises(TypeError) as info:
        s.load_jsonl(text)
    e = info.value
    assert str(e) == "line 3: missing 2 fields: 'name' and 'tag'"
    assert (e.line, e.column, e.field) == (3, 0, "name")
    assert e.offset == text.index(b'{"id": 3}')
    assert e.errors == [slots.LoadError(3, 0, e.offset, "name", "missing 2 fields: 'name' and 'tag'")]
    assert s.load_errors == e.errors
    _unchanged(s, before)
    with pytest.raises(TypeError, match=r"^line 1: missing 3 fields: 'id', 'name', and 'tag'$"):
        s.load_jsonl(b'{"price": 1}')


def test_lenient_leaves_fields_unset_but_needs_the_key(Item):
    s = Item.store()
    assert s.load_jsonl(b'{"id": 5}\n', lenient=True) == 1
    with pytest.raises(AttributeError):
        s.get(5).name
    with pytest.raises(TypeError) as info:
        s.load_jsonl(b'{"id": 6}\n{"name": "x"}\n', lenient=True)
    assert str(info.value) == "line 2: missing field 'id'" and info.value.field == "id"
    with pytest.raises(TypeError, match="line 2: missing field 'id'"):
        s.load_csv(b"id,name\n,x\n", lenient=True)
    assert len(s) == 1


def test_csv_missing_column_and_empty_cells(Item):
    s = Item.store()
    with pytest.raises(TypeError, match="^line 2: missing field 'tag'$"):
        s.load_csv(b"id,name\n1,a\n")
    with pytest.raises(TypeError, match="^line 3: missing field 'name'$") as info:
        s.load_csv(b"id,name,tag\n1,a,\n2,,x\n")
    assert info.value.field == "name" and info.value.column == 0
    assert s.load_csv(b"id,name,tag\n1,a,\n") == 1  # an empty optional cell is None: a value
    assert s.get(1).tag is None and s.get(1).price == 0.0


def test_from_json_is_strict(slots, Item):
    with pytest.raises(TypeError, match="^missing field 'tag'$"):
        Item.from_json('{"id": 1, "name": "a"}')
    assert Item.from_json('{"id": 1, "name": "a", "tag": null}') == Item(1, "a", None)
    r = slots.from_json(Item, '{"id": 1, "name": "a"}', lenient=True)
    with pytest.raises(AttributeError):
        r.tag
    with pytest.raises(TypeError, match="^missing field 'id'$"):
        Item.from_json('{"name": "a", "tag": "t"}', lenient=True)


def test_json_positions(slots, Item):
    s = Item.store()
    l1 = b'{"id": 1, "name": "a", "tag": null}\n'
    with pytest.raises(ValueError) as info:
        s.load_jsonl(l1 + b'{"id": 2, "name": x}\n')
    e = info.value
    assert (e.line, e.column, e.offset, e.field) == (2, 19, len(l1) + 18, "name")
    assert e.errors[0].message == "Expecting value: line 1 column 19 (char 18)"
    with pytest.raises(AttributeError) as info:
        s.load_jsonl(l1 + b'{"id": 2, "colour": 1}\n')
    assert (info.value.line, info.value.column, info.value.field) == (2, 11, "colour")
    with pytest.raises(TypeError) as info:
        s.load_jsonl(l1 + b'{"id": "2"}\n')
    assert (info.value.line, info.value.column, info.value.field) == (2, 8, "id")


def test_csv_positions(Item):
    s = Item.store()
    text = b'id,name,tag,price\n1,a,,1\n2,"b\nc",,oops\n'
    with pytest.raises(ValueError) as info:
        s.load_csv(text)
    e = info.value
    assert (e.line, e.column, e.offset, e.field) == (3, 4, text.index(b"oops"), "price")
    with pytest.raises(AttributeError) as info:
        s.load_csv(b"id,colour\n1,red\n")
    assert (info.value.line, info.value.column, info.value.field) == (1, 2, "colour")
    with pytest.raises(KeyError) as info:
        s.load_csv(b"id,name,tag\n1,a,\n1,b,\n")
    assert (info.value.line, info.value.column, info.value.field) == (3, 0, "id")


def test_skipping_loads_list_their_errors(slots, Item):
    s = Item.store()
    rows = [b'{"id": %d, "name": "n", "tag": null}' % i if i % 3 else b'{"id": %d}' % i for i in range(1, 31)]
    res = s.load_jsonl(b"\n".join(rows), skip_bad=True)
    assert (res.loaded, res.skipped) == (20, 10)
    errs = s.load_errors
    assert len(errs) == 10 and all(isinstance(e, slots.LoadError) for e in errs)
    assert [e.line for e in errs] == list(range(3, 31, 3))
    assert errs[0].field == "name" and errs[0].message == "missing 2 fields: 'name' and 'tag'"
    assert res.errors == ["line %d: %s" % (e.line, e.message) for e in errs]
    s.load_error_limit = 2
    res = Item.store().load_jsonl(b"\n".join(rows), skip_bad=True)  # a fresh store: default limit
    assert len(res.errors) == 10
    s.clear()
    res = s.load_jsonl(b"\n".join(rows), skip_bad=True)
    assert res.skipped == 10 and len(s.load_errors) == 2 and len(res.errors) == 2
    s.load_jsonl(b'{"id": 100, "name": "n", "tag": null}')
    assert s.load_errors == []


def test_failure_before_the_store_has_no_entry(Item, tmp_path):
    s = Item.store()
    with pytest.raises(OSError) as info:
        s.load_jsonl(tmp_path / "missing.jsonl")
    assert info.value.errors == [] and info.value.line is None and info.value.field is None


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_big_load_missing_field_late_same_on_threads(Item, monkeypatch, fmt):
    n = 60000
    if fmt == "jsonl":
        rows = [b'{"id": %d, "name": "product-%d", "tag": null, "price": %d.5}' % (i, i, i) for i in range(1, n + 1)]
        rows[n - 10] = b'{"id": %d, "tag": null, "price": 1}' % (n - 9)
        text, line = b"\n".join(rows), n - 9
    else:
        rows = [b"%d,product number %d of the catalogue,,%d.5" % (i, i, i) for i in range(1, n + 1)]
        rows[n - 10] = b"%d,,,1" % (n - 9)
        text, line = b"id,name,tag,price\n" + b"\n".join(rows), n - 8
    assert len(text) > 2 << 20  # several chunks
    got = []
    for threads in ("4", "1"):
        monkeypatch.setenv("SLOTS_LOAD_THREADS", threads)
        s = Item.store()
        with pytest.raises(TypeError) as info:
            getattr(s, "load_" + fmt)(text)
        e = info.value
        got.append((str(e), e.line, e.column, e.offset, e.field, e.errors))
        assert len(s) == 0
    assert got[0] == got[1]
    assert got[0][:2] == ("line %d: missing field 'name'" % line, line)
    assert getattr(Item.store(), "load_" + fmt)(text, lenient=True) == n

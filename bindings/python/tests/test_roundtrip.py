"""Faithful round trips and Python's csv and json rules, on every backend.

A seeded property test dumps random stores (every kind, nulls, unset and optional fields, defaults,
one-field classes, long/short/non-ASCII strings, NUL bytes, bytes, the extremes of each integer
range, -0.0, NaN and infinities, extras of every kind) to JSON Lines and CSV and loads them back.
Where a format cannot carry a distinction, the documented rule (include/slots.h) is what is checked:
  - both formats: a field left unset takes its default on load (or stays unset);
  - CSV: an unset or null optional field comes back null (an empty cell is "no value"); extras come
    back as str holding their cell text (CSV has no types), a None extra not at all;
  - JSON: a bytes extra comes back as its base64 text (JSON has no bytes).
Each dump is also read by Python's own csv and json modules, which must see the same values.
Refs are left to the C property test (tests/c/test_roundtrip.c): their text is a handle number.
"""
import base64
import csv
import io
import json
import math
import random
import struct

import pytest

SEEDS = range(6)
RECORDS = 30

PIECES = ["", "a", "plain", " lead", "trail ", "a,b", 'q"uote', "multi\nline", "cr\r\nlf", "lone\rcr",
          "tab\tx", "café", "中文", "😀", "back\\slash", "nan", "1", "-", "nul\0byte",
          "a string long enough to live outside the record's 23-byte slot"]
RANGES = {"i8": (-2**7, 2**7 - 1), "i16": (-2**15, 2**15 - 1), "i32": (-2**31, 2**31 - 1),
          "i64": (-2**63, 2**63 - 1), "u8": (0, 2**8 - 1), "u16": (0, 2**16 - 1), "u32": (0, 2**32 - 1),
          "u64": (0, 2**64 - 1)}
FLOATS = [0.0, -0.0, 1.0, -1.5, 0.1, 1e16, 5e-324, 1.7976931348623157e308, -2.2250738585072014e-308,
          math.nan, math.inf, -math.inf]
F32_MAX = struct.unpack("f", struct.pack("f", 3.4028234663852886e38))[0]

CLASSES = [
    ("Every", "b: bool, i8: i8, i16: i16, i32: i32, i64: i64, u8: u8, u16: u16, u32: u32, u64: u64, "
              "f32: f32, f64: f64, s: str, by: bytes", False),
    ("Optional", "b: bool optional, i8: i8 optional, u16: u16 optional, i64: i64 optional, "
                 "u64: u64 optional, f32: f32 optional, f64: f64 optional, s: str optional, "
                 "by: bytes optional", False),
    ("Defaults", "i: i64 = 7, s: str = 'dflt', o: f64 = 1.5 optional, b: bool = true, by: bytes = 'x'", False),
    ("OneInt", "v: i64", False),
    ("OneFloat", "v: f64 optional", False),
    ("OneStr", "s: str", False),
    ("OneBytes", "by: bytes optional", False),
    ("Dyn", "id: i64, s: str optional", True),
]
EXTRA_NAMES = ["colour", "n", "w", "ünïcode", "with space", " lead", 'q"uote', "comma,name", "x"]


def _kinds(spec):
    """[(name, kind, optional, has_default)] of a field list."""
    out = []
    for part in spec.split(","):
        name, rest = part.split(":")
        words = rest.split()
        out.append((name.strip(), words[0], "optional" in words, "=" in rest))
    return out


def _f32(x):
    return struct.unpack("f", struct.pack("f", x))[0]


def _text(rnd):
    return "".join(rnd.choice(PIECES) for _ in range(rnd.randrange(4)))


def _value(rnd, kind):
    if kind == "bool":
        return rnd.random() < 0.5
    if kind in RANGES:
        lo, hi = RANGES[kind]
        return rnd.choice([lo, hi, 0, lo and -1 or 1, rnd.randint(lo, hi)])
    if kind in ("f32", "f64"):
        x = rnd.choice(FLOATS + [struct.unpack("d", struct.pack("Q", rnd.getrandbits(64)))[0]] * 4)
        if math.isnan(x) and rnd.random() < 0.5:
            x = rnd.uniform(-1e6, 1e6)
        if kind == "f32":
            x = x if not math.isfinite(x) or abs(x) <= F32_MAX else math.copysign(F32_MAX, x)
            x = _f32(x)
        return x
    if kind == "str":
        return _text(rnd)
    return bytes(rnd.getrandbits(8) for _ in range(rnd.choice([0, 1, 5, 40])))


def _extra(rnd):
    return rnd.choice([True, False, rnd.randint(-2**63, 2**63 - 1), 2**64 - 1, rnd.choice(FLOATS),
                       _text(rnd), bytes(rnd.getrandbits(8) for _ in range(rnd.randrange(6))), None])


def _fill(slots, rnd, cls, spec, dynamic):
    """A store of random records: every field set, null or unset; extras on dynamic classes."""
    fields = _kinds(spec)
    store = cls.store()
    for _ in range(rnd.randrange(1, RECORDS)):
        values = {name: (None if opt and rnd.random() < 0.2 else _value(rnd, kind))
                  for name, kind, opt, _d in fields}
        rec = store.append(**values)
        for name, kind, opt, _d in fields:
            if rnd.random() < 0.15:
                delattr(rec, name)  # unset: no default applies once the record exists
        if dynamic:
            for _ in range(rnd.randrange(5)):
                setattr(rec, rnd.choice(EXTRA_NAMES), _extra(rnd))
    return store


_UNSET = object()


def _get(rec, name):
    try:
        return getattr(rec, name)
    except AttributeError:
        return _UNSET


def _same(a, b):
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) == math.copysign(1, b))
    return type(a) is type(b) and a == b


def _expected_field(value, default, optional, fmt):
    if fmt == "csv" and optional and (value is _UNSET or value is None):
        return None
    return default if value is _UNSET else value


def _cell_text(v):
    """An extra's CSV cell, as the dump writes it (and the documented rule gives back)."""
    if v is True or v is False:
        return "true" if v else "false"
    if isinstance(v, bytes):
        return base64.b64encode(v).decode()
    if isinstance(v, float):
        return repr(v)
    return str(v)


def _expected_extras(extras, fmt):
    if fmt == "jsonl":
        return {k: base64.b64encode(v).decode() if isinstance(v, bytes) else v for k, v in extras.items()}
    return {k: _cell_text(v) for k, v in extras.items() if v is not None}


def _check(slots, cls, spec, store, back, fmt):
    fields = _kinds(spec)
    defaults = {f.name: _UNSET if f.default is slots.MISSING else f.default for f in slots.fields(cls)}
    assert len(back) == len(store)
    for pos, (a, b) in enumerate(zip(store, back)):
        for name, kind, opt, _d in fields:
            want = _expected_field(_get(a, name), defaults[name], opt, fmt)
            got = _get(b, name)
            assert (got is want) if want is _UNSET or want is None else _same(want, got), \
                (fmt, pos, name, want, got)
        want = _expected_extras(slots.extras(a), fmt)
        got = slots.extras(b)
        assert set(got) == set(want), (fmt, pos)
        assert all(_same(want[k], got[k]) for k in want), (fmt, pos, want, got)


def _python_reads_jsonl(spec, store, text):
    """json.loads reads every line of the dump as the record's values (bytes as base64)."""
    fields = _kinds(spec)
    lines = text.decode().split("\n")[:-1]
    assert len(lines) == len(store)
    for rec, line in zip(store, lines):
        obj = json.loads(line)  # NaN and Infinity are what json writes and reads
        for name, kind, _o, _d in fields:
            v = _get(rec, name)
            if v is _UNSET:
                assert name not in obj
            elif isinstance(v, bytes):
                assert base64.b64decode(obj[name]) == v
            else:
                got = obj[name]
                if kind in ("f32", "f64") and got is not None:  # an f32 as its shortest float text
                    got = _f32(got) if kind == "f32" else float(got)
                assert got is v if v is None else _same(got, v)


def _python_reads_csv(spec, store, text):
    """csv.reader sees one row per record (a one-column file's empty row included), and each cell
    reads with int() / float() as the value."""
    fields = _kinds(spec)
    rows = list(csv.reader(io.StringIO(text.decode(), newline="")))
    header, rows = rows[0], rows[1:]
    assert header[:len(fields)] == [f[0] for f in fields]
    # Python's reader gives [] for an empty line, which is a one-column row with an empty cell here
    rows = [r or [""] for r in rows]
    assert len(rows) == len(store)
    for rec, row in zip(store, rows):
        for (name, kind, _o, _d), cell in zip(fields, row):
            v = _get(rec, name)
            if v is _UNSET or v is None:
                assert cell == ""
            elif kind in ("f32", "f64"):
                assert _same(_f32(float(cell)) if kind == "f32" else float(cell), v)
            elif kind in RANGES:
                assert int(cell) == v
            elif kind == "bytes":
                assert base64.b64decode(cell) == v
            elif kind == "str":
                assert cell == v


@pytest.mark.parametrize("seed", SEEDS)
def test_random_stores_round_trip(slots, seed):
    for k, (name, spec, dynamic) in enumerate(CLASSES):
        rnd = random.Random(seed * 1000 + k)
        cls = slots.define("RT" + name, spec, dynamic=dynamic)
        store = _fill(slots, rnd, cls, spec, dynamic)
        text = store.dump_jsonl(allow_nan=True)
        _python_reads_jsonl(spec, store, text)
        back = cls.store()
        assert back.load_jsonl(text, lenient=True) == len(store)
        _check(slots, cls, spec, store, back, "jsonl")
        text = store.dump_csv()
        _python_reads_csv(spec, store, text)
        back = cls.store()
        assert back.load_csv(text, lenient=True) == len(store)
        _check(slots, cls, spec, store, back, "csv")


# ---- JSON: NaN and Infinity, extra data ---------------------------------------------------------

def test_nan_refused_by_default_and_written_when_allowed(slots, tmp_path):
    P = slots.define("NanP", "id: i64, price: f64")
    s = P.store()
    s.append(1, 1.5)
    s.append(2, math.nan)
    with pytest.raises(ValueError, match=r"record at position 1: Out of range float values are not JSON "
                                         r"compliant: nan \(NanP\.price\)"):
        s.dump_jsonl()
    with pytest.raises(ValueError, match="not JSON compliant"):
        s.dump_jsonl(tmp_path / "x.jsonl")
    assert not (tmp_path / "x.jsonl").exists()
    text = s.dump_jsonl(allow_nan=True)
    assert text == b'{"id":1,"price":1.5}\n{"id":2,"price":NaN}\n'
    assert [json.loads(line) for line in text.splitlines()][1]["price"] != 0  # json reads NaN
    s.dump_jsonl(tmp_path / "x.jsonl", allow_nan=True)
    back = P.store()
    assert back.load_jsonl(tmp_path / "x.jsonl") == 2 and math.isnan(back.rows[1].price)
    r = P(3, -math.inf)
    with pytest.raises(ValueError, match=r"-inf \(NanP\.price\)"):
        r.to_json()
    assert r.to_json(allow_nan=True) == '{"id":3,"price":-Infinity}' == slots.to_json(r, allow_nan=True)
    assert r.to_json(allow_nan=True) == json.dumps({"id": 3, "price": -math.inf}, separators=(",", ":"))


def test_nan_and_infinity_read_as_python_json_writes_them(slots):
    P = slots.define("NanR", "a: f64, b: f32, c: f64 optional", dynamic=True)
    text = json.dumps({"a": math.nan, "b": math.inf, "c": -math.inf, "x": math.nan})
    r = P.from_json(text)
    assert math.isnan(r.a) and r.b == math.inf and r.c == -math.inf and math.isnan(slots.extras(r)["x"])
    for bad in ['{"a": nan}', '{"a": -NaN}', '{"a": infinity}', '{"a": +Infinity}']:
        with pytest.raises(ValueError, match="Expecting value"):
            P.from_json(bad)
    I = slots.define("NanI", "i: i64")
    with pytest.raises(TypeError):
        I.from_json('{"i": NaN}')


def test_nul_after_a_json_value_is_refused(slots):
    P = slots.define("NulP", "id: i64")
    s = P.store()
    with pytest.raises(ValueError, match=r"line 2: Extra data: line 1 column 9 \(char 8\)") as info:
        s.load_jsonl(b'{"id":1}\n{"id":2}\0\n')
    assert info.value.line == 2 and len(s) == 0
    with pytest.raises(ValueError, match="Extra data"):
        P.from_json(b'{"id":1}\0')
    with pytest.raises(json.JSONDecodeError, match="Extra data"):  # what Python's json says
        json.loads('{"id":1}\0')
    assert s.load_jsonl(b'{"id":1} \t\r\n') == 1


# ---- CSV: Python's csv and number rules ----------------------------------------------------------

def test_bom_and_line_ends(slots):
    P = slots.define("CsvLE", "id: i64, name: str")
    s = P.store()
    assert s.load_csv(b"\xef\xbb\xbfid,name\r\n1,a\r\n") == 1
    assert s.load_csv(b'id,name\r2,b\r3,"c\rd"\r\r') == 2  # old Mac line ends; a CR in quotes stays
    assert s.load_csv(b"id,name\n4,e\r\n5,f\r6,g") == 3
    assert [(r.id, r.name) for r in s] == [(1, "a"), (2, "b"), (3, "c\rd"), (4, "e"), (5, "f"), (6, "g")]
    text = 'id,name\r2,b\r3,"c\rd"\r'
    assert [r for r in csv.reader(io.StringIO(text, newline=""))] == [["id", "name"], ["2", "b"], ["3", "c\rd"]]


def test_header_blanks(slots):
    P = slots.define("CsvHB", "id: i64, name: str")
    s = P.store()
    with pytest.raises(ValueError, match=r"line 1: column name ' name' has blanks around it") as info:
        s.load_csv(b"id, name\n1,a\n")
    assert info.value.line == 1
    assert s.load_csv(b"id, name\n1,a\n", trim_header=True) == 1
    assert s.load_csv(b" id ,\tname\n2,b\n", trim_header=True, skip_bad=True).loaded == 1
    with pytest.raises(AttributeError, match="no attribute 'name '"):  # quoted: exactly as written
        s.load_csv(b'id,"name "\n3,c\n')
    assert [r.id for r in s] == [1, 2]


@pytest.mark.parametrize("kind,cell", [("i64", "abc"), ("i64", "1.5"), ("i64", " "), ("i64", "1__0"),
                                       ("f64", "abc"), ("f64", "1._5"), ("f64", "."), ("i64", "")])
def test_bad_cells_are_value_errors_in_pythons_words(slots, kind, cell):
    P = slots.define("CsvBad" + kind, "x: %s" % kind)
    try:
        (int if kind == "i64" else float)(cell)
    except ValueError as exc:
        python_says = str(exc)
    with pytest.raises(ValueError) as info:
        P.store().load_csv(("x\n\"%s\"\n" % cell).encode())
    assert str(info.value) == "line 2: %s (CsvBad%s.x)" % (python_says, kind)


@pytest.mark.parametrize("cell", [".5", "5.", "+1", "1e5", "1_000", " 7 ", "-0", "inf", "-Infinity", "nan",
                                  "1_0.2_5e-1_0", "007"])
def test_number_spellings_float_accepts(slots, cell):
    P = slots.define("CsvNum", "f: f64")
    s = P.store()
    assert s.load_csv(("f\n\"%s\"\n" % cell).encode()) == 1
    assert _same(s.rows[0].f, float(cell))


@pytest.mark.parametrize("cell", ["+1", "1_000", " 7 ", "-0", "007", "0_0"])
def test_number_spellings_int_accepts(slots, cell):
    P = slots.define("CsvInt", "i: i64")
    s = P.store()
    assert s.load_csv(("i\n\"%s\"\n" % cell).encode()) == 1
    assert s.rows[0].i == int(cell)


def test_one_field_class_keeps_unset_and_null_rows(slots):
    P = slots.define("CsvOne", "v: i64 optional")
    s = P.store()
    for v in (1, None, 2, None):
        s.append(v)
    del s.rows[3].v
    text = s.dump_csv()
    assert text == b"v\n1\n\n2\n\n"
    back = P.store()
    assert back.load_csv(text) == 4
    assert [r.v for r in back] == [1, None, 2, None]  # unset comes back null: the CSV rule


def test_extras_are_dumped_as_columns(slots):
    D = slots.define("CsvDyn", "id: i64", dynamic=True)
    s = D.store()
    a = s.append(1)
    a.colour = "red"
    a.n = 3
    b = s.append(2)
    b.size = b"\x00\x01"
    b.n = 2.5
    b.gone = None
    s.append(3)
    text = s.dump_csv()
    assert text == b"id,colour,n,size,gone\n1,red,3,,\n2,,2.5,AAE=,\n3,,,,\n"
    back = D.store()
    assert back.load_csv(text) == 3
    assert [slots.extras(r) for r in back] == [{"colour": "red", "n": "3"}, {"n": "2.5", "size": "AAE="}, {}]


def test_twenty_thousand_columns(slots):
    D = slots.define("CsvWide", "id: i64", dynamic=True)
    names = ["c%d" % i for i in range(20000)]
    text = ("id," + ",".join(names) + "\n1," + ",".join("v" if i % 7000 == 3 else "" for i in range(20000))
            + "\n").encode()
    s = D.store()
    assert s.load_csv(text) == 1
    assert slots.extras(s.rows[0]) == {"c3": "v", "c7003": "v", "c14003": "v"}
    with pytest.raises(ValueError, match="column 'c0' appears twice"):
        D.store().load_csv(("id," + ",".join(names) + ",c0\n").encode())

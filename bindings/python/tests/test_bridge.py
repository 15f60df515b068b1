"""The ffi bridge from Python, on every backend: ctypes.Structure views of C-layout records, native
methods and properties bound in C, Python callables bound as validators and methods."""
import ctypes
import ctypes.util
import gc

import pytest

LIBM = ctypes.util.find_library("m") or "libm.so.6"


@pytest.fixture
def CProduct(slots):
    @slots.record(c_layout=True)
    class CProduct:
        id: int
        flag: bool
        small: slots.i8
        name: str
        price: float
        qty: slots.u16 = 0
        ratio: slots.f32 = 0.5
    return CProduct


# ---- C layout and ctypes views ------------------------------------------------------------

def test_c_struct_matches_the_c_compiler(slots, CProduct):
    S = CProduct.c_struct()
    assert issubclass(S, ctypes.Structure) and CProduct.c_struct() is S

    class Expected(ctypes.Structure):  # what a C compiler does for the same struct
        _fields_ = [("id", ctypes.c_int64), ("flag", ctypes.c_bool), ("small", ctypes.c_int8),
                    ("name", ctypes.c_char_p), ("price", ctypes.c_double), ("qty", ctypes.c_uint16),
                    ("ratio", ctypes.c_float)]
    for (name, _t) in Expected._fields_:
        assert getattr(S, name).offset == getattr(Expected, name).offset
        idx = [f.name for f in slots.fields(CProduct)].index(name)
        assert slots._lib._fn.slots_field_offset(slots._handles._info(CProduct).t, idx) == getattr(S, name).offset
    assert ctypes.sizeof(S) == ctypes.sizeof(Expected) == 40


def test_c_view_reads_the_record(slots, CProduct):
    p = CProduct(7, True, -3, "widget", 9.5, qty=65535)
    v = p.c_view()
    assert (v.id, v.flag, v.small, v.name, v.price, v.qty, v.ratio) == (7, True, -3, b"widget", 9.5, 65535, 0.5)
    p.price = 1.25
    p.name = "x"
    assert v.price == 1.25 and v.name == b"x"  # a view, not a copy
    v.qty = 12  # unchecked write, straight to memory
    assert p.qty == 12


def test_c_view_of_store_records_and_subclass(slots, CProduct):
    s = CProduct.store()
    s.load_jsonl(b'{"id": 1, "flag": false, "small": 1, "name": "a", "price": 2.5}\n')
    v = s.rows[0].c_view()
    assert (v.id, v.name, v.price) == (1, b"a", 2.5)

    @slots.record
    class Sub(CProduct):
        extra: slots.i32 = 4
    S = Sub.c_struct()
    assert [n for n, _ in S._fields_][-1] == "extra"
    r = Sub(1, False, 0, "s", 1.0)
    assert r.c_view().extra == 4


def test_c_struct_refused_without_c_layout(slots):
    @slots.record
    class Plain:
        x: int
    with pytest.raises(TypeError, match="c_layout"):
        Plain.c_struct()
    with pytest.raises(TypeError, match="c_layout"):
        Plain(1).c_view()
    with pytest.raises(TypeError):
        slots.define("CBytes", "b: bytes", c_layout=True)  # bytes fields are not allowed
    D = slots.define("CDefined", "a: i32, b: f64", c_layout=True)
    assert D.c_struct().b.offset == 8


# ---- native methods and properties ---------------------------------------------------------

def test_bind_symbol_from_libm(slots, CProduct):
    CProduct.bind_method("cos", "f64(f64)", library=LIBM, symbol="cos")
    p = CProduct(1, False, 0, "a", 1.0)
    assert p.cos(0.0) == 1.0 and abs(p.cos(3.141592653589793) + 1.0) < 1e-12
    assert p.cos(0) == 1.0  # ints convert like a field setter would
    with pytest.raises(TypeError, match="argument"):
        p.cos()
    with pytest.raises(TypeError):
        p.cos("x")
    assert "cos" in CProduct.__dict__


def test_bind_errors(slots, CProduct):
    with pytest.raises(AttributeError):
        CProduct.bind_method("nope", "f64(f64)", library=LIBM, symbol="no_such_symbol_xyz")
    with pytest.raises(AttributeError):
        CProduct.bind_method("nope", "f64(f64)", library="/no/such/lib.so", symbol="cos")
    with pytest.raises(ValueError):
        CProduct.bind_method("bad", "f64(f64", library=LIBM, symbol="cos")
    with pytest.raises(ValueError):
        CProduct.bind_method("price", "f64(f64)", library=LIBM, symbol="cos")  # a field's name
    with pytest.raises(TypeError):
        CProduct.bind_method("x", "f64(f64)")
    p = CProduct(1, False, 0, "a", 1.0)
    with pytest.raises(AttributeError):
        p.nope


def test_ctypes_function_pointer_and_property(slots, CProduct):
    libm = ctypes.CDLL(LIBM)
    CProduct.bind_method("sqrt", "f64(f64)", fn=libm.sqrt)
    # a property backed by a native getter taking the record's address
    getter = ctypes.CFUNCTYPE(ctypes.c_double, ctypes.c_void_p)(
        lambda addr: CProduct.c_struct().from_address(addr).price * 2)
    CProduct.bind_method("double_price", "f64(ptr)", fn=getter, property=True)
    p = CProduct(1, False, 0, "a", 4.0)
    assert p.sqrt(16.0) == 4.0
    assert p.double_price == 8.0
    with pytest.raises(AttributeError):
        p.double_price = 1.0  # read-only
    with pytest.raises(ValueError):
        CProduct.bind_method("bad_prop", "f64(self, f64)", fn=libm.pow, property=True)


def test_python_callable_as_method(slots, CProduct):
    CProduct.bind_method("discounted", "f64(self, f64)", fn=lambda self, pct: self.price * (1 - pct / 100))
    CProduct.bind_method("label", "str(self, str, i32)", fn=lambda self, pre, n: "%s-%s-%d" % (pre, self.name, n))
    CProduct.bind_method("me", "ref(self)", fn=lambda self: self)
    CProduct.bind_method("touch", "void(self, i64)", fn=lambda self, v: setattr(self, "id", v))
    CProduct.bind_method("big", "bool(self)", fn=lambda self: self.price > 10, property=True)
    p = CProduct(1, False, 0, "w", 50.0)
    assert p.discounted(10) == 45.0
    assert p.label("x", 3) == "x-w-3"
    assert p.me() is p
    assert p.touch(99) is None and p.id == 99
    assert p.big is True
    s = CProduct.store()
    r = s.append(2, True, 1, "st", 5.0)
    assert r.discounted(50) == 2.5 and r.big is False
    with pytest.raises(OverflowError):
        p.label("x", 2 ** 40)  # i32 range checked in C


def test_python_method_exception_propagates(slots, CProduct):
    def boom(self):
        raise RuntimeError("boom inside")
    CProduct.bind_method("boom", "f64(self)", fn=boom)
    p = CProduct(1, False, 0, "w", 1.0)
    with pytest.raises(RuntimeError, match="boom inside"):
        p.boom()
    assert p.price == 1.0


def test_methods_appear_on_subclasses(slots, CProduct):
    CProduct.bind_method("cos", "f64(f64)", library=LIBM, symbol="cos")

    @slots.record
    class Sub(CProduct):
        more: int = 0
    assert Sub(1, False, 0, "a", 1.0).cos(0.0) == 1.0


# ---- Python validators -----------------------------------------------------------------------

@pytest.fixture
def Guarded(slots):
    @slots.record
    class Guarded:
        id: int = slots.key()
        name: str
        price: float = 0.0
        blob: bytes = b""

    @Guarded.validator("price")
    def non_negative(rec, value):
        if value < 0:
            raise ValueError("must be >= 0, got %r" % value)

    @Guarded.validator("name")
    def short(rec, value):
        return len(value) <= 5 or "too long"
    return Guarded


def test_validator_on_sets(slots, Guarded):
    g = Guarded(1, "ok", 1.0)
    with pytest.raises(ValueError, match=r"Guarded.price: must be >= 0, got -1.0"):
        g.price = -1.0
    assert g.price == 1.0
    with pytest.raises(ValueError, match="Guarded.name: too long"):
        g.name = "toolongname"
    with pytest.raises(ValueError):
        Guarded(2, "x", -5)
    with pytest.raises(ValueError):
        slots.replace(g, price=-2.0)
    gc.collect()


def test_validator_runs_in_bulk_loads(slots, Guarded):
    s = Guarded.store()
    good = b'{"id": 1, "name": "a", "price": 1}\n'
    with pytest.raises(ValueError) as info:
        s.load_jsonl(good + b'{"id": 2, "name": "b", "price": -3}\n')
    assert info.value.line == 2 and "line 2" in str(info.value) and "Guarded.price" in str(info.value)
    assert "must be >= 0" in str(info.value)
    assert len(s) == 0
    with pytest.raises(ValueError, match="line 3: .*Guarded.name: too long"):
        s.load_csv(b"id,name,price\n1,a,1\n2,waytoolong,2\n")
    assert len(s) == 0
    res = s.load_jsonl(good + b'{"id": 2, "name": "b", "price": -3}\n', skip_bad=True)
    assert (res.loaded, res.skipped) == (1, 1) and "must be >= 0" in res.errors[0]
    s.append(2, "b", 2.0)
    with pytest.raises(ValueError):
        s.set_column("price", [1.0, -1.0])
    assert s.column("price").tolist() == [1.0, 2.0]


def test_validator_exception_is_a_refusal(slots, Guarded):
    seen = []

    @Guarded.validator("blob")
    def broken(rec, value):
        seen.append((type(rec).__name__, value))
        if value == b"bad":
            raise ZeroDivisionError("division by zero")
        if value == b"none":
            return False
        return None
    g = Guarded(1, "a", blob=b"fine")
    with pytest.raises(ValueError, match="ZeroDivisionError: division by zero"):
        g.blob = b"bad"
    with pytest.raises(ValueError, match="refused"):
        g.blob = b"none"
    assert g.blob == b"fine"
    assert ("Guarded", b"fine") in seen
    s = Guarded.store()
    with pytest.raises(ValueError, match="line 1: .*ZeroDivisionError"):
        s.load_jsonl(b'{"id": 1, "name": "a", "blob": "YmFk"}\n')  # base64 "bad"


def test_validator_sees_the_record_and_can_be_removed(slots, Guarded):
    @Guarded.validator("price")
    def below_id(rec, value):
        if value > rec.id * 10:
            return "price above %d" % (rec.id * 10)
    g = Guarded(1, "a", 5.0)
    with pytest.raises(ValueError, match="price above 10"):
        g.price = 11.0
    Guarded.clear_validator("price")
    g.price = -100.0
    assert g.price == -100.0
    with pytest.raises(AttributeError):
        Guarded.validator("nope", lambda r, v: None)
    with pytest.raises(TypeError):
        Guarded.validator("price", 3)

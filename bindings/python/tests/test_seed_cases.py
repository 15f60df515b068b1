"""The seed use cases, written the way a user would write them."""
import gc
import json

import pytest


def test_user_with_dict_style_dynamic_attributes(slots):
    @slots.record(dynamic=True)
    class User:
        name: str
        email: str = ""

    u = User("ada", "ada@example.org")
    u.age = 36                     # like an instance with a __dict__
    u.nickname = "countess"
    u.languages = ["en", "fr"]     # any Python object
    assert (u.name, u.age, u.nickname, u.languages) == ("ada", 36, "countess", ["en", "fr"])
    assert slots.extras(u) == {"age": 36, "nickname": "countess", "languages": ["en", "fr"]}
    del u.nickname
    assert not hasattr(u, "nickname")
    u.age += 1
    assert u.age == 37
    assert repr(u) == "User(name='ada', email='ada@example.org')"


def test_slim_user_refuses_age(slots):
    @slots.record
    class SlimUser:
        name: str
        email: str = ""

    s = SlimUser("bob")
    with pytest.raises(AttributeError) as err:
        s.age = 30
    assert str(err.value).startswith("'SlimUser' object has no attribute 'age'")
    assert not hasattr(s, "__dict__")
    s.email = "bob@example.org"
    assert s.email == "bob@example.org"


def test_base_child_inheritance(slots):
    @slots.record
    class Base:
        id: int

        def describe(self):
            return "%s #%d" % (type(self).__name__, self.id)

    @slots.record
    class Child(Base):
        label: str = "child"

        def describe(self):
            return super().describe() + " (" + self.label + ")"

    c = Child(7)
    assert isinstance(c, Base)
    assert c.describe() == "Child #7 (child)"
    assert Base(1).describe() == "Base #1"
    assert [f.name for f in slots.fields(c)] == ["id", "label"]
    with pytest.raises(AttributeError):
        Base(1).label


def test_partially_dynamic(slots):
    @slots.record(dynamic=True)
    class PartiallyDynamic:      # like __slots__ = ("x", "y", "__dict__")
        x: int
        y: int = 0

    p = PartiallyDynamic(1)
    p.z = 3
    assert (p.x, p.y, p.z) == (1, 0, 3)
    with pytest.raises(TypeError):
        p.x = "declared fields keep their kind"
    assert slots.asdict(p) == {"x": 1, "y": 0}  # like dataclasses.asdict: declared fields only
    assert slots.extras(p) == {"z": 3}


def test_immutable_item_with_readonly_id(slots):
    @slots.record(readonly=("id",))
    class ImmutableItem:
        id: int
        name: str
        qty: int = 0

    it = ImmutableItem(1, "bolt")
    it.qty = 5
    it.name = "nut"
    with pytest.raises(AttributeError):
        it.id = 2
    with pytest.raises(AttributeError):
        del it.id
    assert (it.id, it.name, it.qty) == (1, "nut", 5)


def test_cached_item_from_json(slots):
    CachedItem = slots.define("CachedItem", "id: i64, category: str, value: f64")
    payload = '{"id": 42, "category": "books", "value": 12.5}'
    item = CachedItem.from_json(payload)
    assert (item.id, item.category, item.value) == (42, "books", 12.5)
    assert json.loads(item.to_json()) == json.loads(payload)
    many = [CachedItem.from_json(json.dumps({"id": i, "category": "c%d" % (i % 3), "value": i / 2}))
            for i in range(1000)]
    assert sum(x.value for x in many) == sum(i / 2 for i in range(1000))
    assert CachedItem.memory_usage() > 0
    del many
    gc.collect()
    with pytest.raises(ValueError):
        CachedItem.from_json('{"id": 1, "category": ')

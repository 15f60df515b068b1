"""Annotations into kinds: which field-list kind, optionality and ref target a class body's
annotation means (int, Optional[str], slots.u8, a record class, a string forward reference).

Below: _kinds, _handles (see README, Package layout).
"""
import dataclasses
import decimal
import inspect
import sys
import types
import typing

from . import _handles
from ._kinds import Kind, _KINDS, _PYKINDS


class _Self(object):
    """Stands for the class being built in its own annotations (it has no name to look up yet)."""


def _eval_annotation(ann, cls_name, module_globals):
    """A string or forward-reference annotation evaluated in the class's module, with the kinds and
    `slots` in scope."""
    if isinstance(ann, typing.ForwardRef):
        ann = ann.__forward_arg__
    if isinstance(ann, str):
        if ann.strip() == cls_name:
            return _Self
        localns = {cls_name: _Self, "slots": sys.modules[__name__.rpartition(".")[0]]}
        # the kinds' names, but not those that would hide a module (`uuid.UUID`, `decimal.Decimal`)
        localns.update((k, v) for k, v in _KINDS.items() if v.to_c is None)
        try:
            return eval(ann, dict(module_globals), localns)
        except Exception as exc:
            raise TypeError("cannot resolve annotation %r of record %s: %s" % (ann, cls_name, exc))
    return ann


def _kind_of(ann, cls_name, module_globals, fname):
    """(kind name, optional, ref target class or _Self or None, python type for fields())."""
    ann, mark = _annotated(_eval_annotation(ann, cls_name, module_globals), fname, cls_name, None)
    optional = False
    origin = typing.get_origin(ann)
    if origin is typing.Union or (hasattr(types, "UnionType") and origin is getattr(types, "UnionType")):
        args = [a for a in typing.get_args(ann) if a is not type(None)]
        if len(args) != 1 or len(typing.get_args(ann)) != 2:
            raise TypeError("field '%s' of %s: only Optional[X] unions are supported, got %r"
                            % (fname, cls_name, ann))
        optional = True
        ann, mark = _annotated(_eval_annotation(args[0], cls_name, module_globals), fname, cls_name, mark)
    if mark is not None:
        return mark.name, optional, None, ann
    if isinstance(ann, Kind):
        if ann.name == "decimal":
            raise _bare_decimal(fname, cls_name)
        return ann.name, optional, None, ann
    if ann is decimal.Decimal:
        raise _bare_decimal(fname, cls_name)
    if ann in _PYKINDS:
        return _PYKINDS[ann], optional, None, ann
    if ann is _Self or isinstance(ann, _handles.RecordMeta):
        return "ref", optional, ann, ann
    raise TypeError("field '%s' of %s: unsupported annotation %r (use int, float, str, bytes, bool, "
                    "datetime, date, UUID, Annotated[Decimal, slots.decimal(P, S)], Optional[...], a "
                    "record class or a slots kind such as slots.u8)"
                    % (fname, cls_name, ann))


def _annotated(ann, fname, cls_name, mark):
    """(the type, the slots kind given in Annotated[type, kind] or `mark`): Annotated[Decimal,
    slots.decimal(10, 2)], in or around an Optional."""
    if typing.get_origin(ann) is not typing.Annotated:
        return ann, mark
    marks = [m for m in ann.__metadata__ if isinstance(m, Kind)]
    if len(marks) + (mark is not None) > 1:
        raise TypeError("field '%s' of %s: more than one slots kind in %r" % (fname, cls_name, ann))
    return typing.get_args(ann)[0], marks[0] if marks else mark


def _bare_decimal(fname, cls_name):
    return TypeError("field '%s' of %s: a Decimal field needs its precision and scale: annotate it "
                     "Annotated[Decimal, slots.decimal(P, S)] (P digits in all, S after the point)"
                     % (fname, cls_name))


def _dataclass_marker(ann, cls_name, module_globals):
    """("KW_ONLY", ann) for `_: dataclasses.KW_ONLY`, ("InitVar", its type) for an InitVar[...], else
    (None, ann). A string annotation is evaluated only when it names one of them."""
    if isinstance(ann, (str, typing.ForwardRef)):
        text = ann if isinstance(ann, str) else ann.__forward_arg__
        if "KW_ONLY" not in text and "InitVar" not in text:
            return None, ann
        localns = {"KW_ONLY": dataclasses.KW_ONLY, "InitVar": dataclasses.InitVar}
        try:
            value = eval(text, dict(module_globals), localns)
        except Exception:
            return None, ann  # _kind_of says what is wrong with it
    else:
        value = ann
    if value is dataclasses.KW_ONLY:
        return "KW_ONLY", value
    if isinstance(value, dataclasses.InitVar):
        return "InitVar", value.type
    if value is dataclasses.InitVar:
        return "InitVar", typing.Any
    return None, ann


def _own_annotations(cls):
    """The annotations of the class body itself (not its bases')."""
    if hasattr(inspect, "get_annotations"):
        return dict(inspect.get_annotations(cls))
    return dict(cls.__dict__.get("__annotations__", {}))


def _is_classvar(ann):
    """True for ClassVar[...] (a class attribute, not a field), written as a string or not."""
    if isinstance(ann, str):
        return ann.startswith(("ClassVar", "typing.ClassVar"))
    return ann is typing.ClassVar or typing.get_origin(ann) is typing.ClassVar

"""Generated Python per selection: the walker's per-field work without its
interpretation.

Each :class:`~gateway.execution.plan.ObjectPlan` becomes one Python function,
``run(walker, source, path, boundary) -> dict``, written for its fields (the
way graphql-jit writes JavaScript for an operation): the response keys are
constants, a Strawberry field without a resolver is a plain attribute read,
a resolver is called with exactly the arguments it declares (``self``, root,
``info``), and the common outcomes complete in line:

* a string, boolean or 32-bit integer that serialises as itself, ``None`` in a
  nullable position, a member of the field's Python enum (its GraphQL name
  looked up in a dict built once);
* an object of the type's own Strawberry class (the check graphql-core's
  ``is_type_of`` makes, when Strawberry's generated one is in use), completed
  by the sub-selection's own function, or taken from the shared selections;
* a Python list of such objects.

Everything else (an awaitable, ``None`` in a non-null position, a value of
another class, an error) goes to the walker's generic code for that one
field (:meth:`Walker.finish`, :meth:`Walker.list_item`), which follows
graphql-core step for step; the try/except blocks mirror the walker's, so
errors are located and propagated exactly as before. The differential check
(``execution.verify``) compares every answer with graphql-core's.

Two variants are generated per selection: ``run`` calls resolvers in line;
``run_calls`` goes through :meth:`Walker.call`, for walkers that record the
calls (the differential check's replay).
"""

from __future__ import annotations

import keyword
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from strawberry.types.cast import TYPE_CAST_ATTRIBUTE as CAST

from gateway.execution.plan import (
    ATTR,
    INT32_MAX,
    INT32_MIN,
    LEAF,
    LIST,
    NON_NULL,
    OBJECT,
    RESOLVER,
    TYPENAME,
)

if TYPE_CHECKING:
    from gateway.execution.plan import FieldPlan, ObjectPlan, TypePlan


Run = Callable[[Any, Any, Any, Any], dict[str, Any]]


def enum_names(leaf: TypePlan) -> tuple[type, dict[Any, str]] | None:
    """A Strawberry enum's Python class and each member's GraphQL name, as its
    ``coerce_output_value`` would find them."""
    wrapped = getattr(leaf.gql, "wrapped_cls", None)
    values = getattr(leaf.gql, "values", None)
    if not isinstance(wrapped, type) or not isinstance(values, dict):
        return None
    names: dict[Any, str] = {}
    members: Any = wrapped
    for member in members:
        for name, value in values.items():
            if member.value == value.value:
                names[member] = name
                break
    return wrapped, names


class _Writer:
    def __init__(self, inline_calls: bool, info_class: type, runtime: dict[str, Any]) -> None:
        self.inline_calls = inline_calls
        self.info_class = info_class
        self.runtime = runtime
        self.lines: list[str] = []
        self.ns: dict[str, Any] = {}
        self.count = 0

    def name(self, prefix: str, value: Any) -> str:
        self.count += 1
        name = f"{prefix}{self.count}"
        self.ns[name] = value
        return name

    def emit(self, depth: int, line: str) -> None:
        self.lines.append("    " * depth + line)


def generate(plan: ObjectPlan, inline_calls: bool, info_class: type, runtime: dict[str, Any]) -> Run:
    """``plan``'s function (and, first, those of the selections under it).
    ``runtime``: the walker's helpers the code calls (``_path``, ``Boundary``,
    ``_LazyInfo``)."""
    attr = "run" if inline_calls else "run_calls"
    existing = getattr(plan, attr)
    if existing is not None:
        return existing  # type: ignore[no-any-return]
    w = _Writer(inline_calls, info_class, runtime)
    w.ns.update(runtime)
    w.ns["CAST"] = CAST
    w.emit(0, "def run(w, source, path, boundary):")
    w.emit(1, "r = {}")
    for f in plan.fields:
        _field(w, f)
    w.emit(1, "return r")
    code = "\n".join(w.lines)
    exec(compile(code, f"<selection {plan.type.name}>", "exec"), w.ns)
    run: Run = w.ns["run"]
    setattr(plan, attr, run)
    return run


def _field(w: _Writer, f: FieldPlan) -> None:
    key = repr(f.key)
    parent = repr(f.parent_name)
    if f.kind == TYPENAME:
        w.emit(1, f"r[{key}] = {parent}")
        return
    F = w.name("F", f)
    if f.kind == ATTR:
        if f.default_resolver is not None:
            get = f"{w.name('D', f.default_resolver)}(source, {f.attr!r})"
        elif f.attr.isidentifier() and not keyword.iskeyword(f.attr):
            get = f"source.{f.attr}"
        else:
            get = f"getattr(source, {f.attr!r})"
        w.emit(1, "try:")
        w.emit(2, f"v = {get}")
        w.emit(1, "except Exception as raw:")
        w.emit(2, f"r[{key}] = w.field_error(raw, {F}.type, {F}, _path(path, {key}, {parent}))")
        w.emit(1, "else:")
        if f.needs_path:  # an object or a list: the path is needed below
            w.emit(2, f"fpath = _path(path, {key}, {parent})")
        _complete(w, f, F, key, "fpath" if f.needs_path else "None", 2)
        return
    w.emit(1, f"fpath = _path(path, {key}, {parent})")
    w.emit(1, "try:")
    w.emit(2, f"v = {_call(w, f, F)}")
    w.emit(1, "except Exception as raw:")
    w.emit(2, f"r[{key}] = w.field_error(raw, {F}.type, {F}, fpath)")
    w.emit(1, "else:")
    _complete(w, f, F, key, "fpath", 2)


def _call(w: _Writer, f: FieldPlan, F: str) -> str:
    if not w.inline_calls or f.kind != RESOLVER or f.uses_args:
        return f"w.call({F}, source, fpath)"
    args: list[str] = []
    if f.pass_self:
        args.append("source")
    for name in dict.fromkeys(n for n in (f.parent_kw, f.root_kw) if n is not None):
        args.append(f"{name}=source")
    if f.info_name is not None:
        info = w.name("INFO", w.info_class)
        field = w.name("SF", f.strawberry_field)
        args.append(f"{f.info_name}={info}(_raw_info=_LazyInfo(w, {F}, fpath), _field={field})")
    return f"{w.name('FN', f.fn)}({', '.join(args)})"


def _complete(w: _Writer, f: FieldPlan, F: str, key: str, fpath: str, d: int) -> None:
    """Store ``v`` completed under ``key``: in line when it is a common case, else
    through the walker's generic code."""
    t: TypePlan = f.type  # type: ignore[assignment]
    nullable = t.kind != NON_NULL
    inner_t: TypePlan = t if nullable else t.of  # type: ignore[assignment]
    slow = f"w.finish(r, {F}, v, path, {fpath}, boundary)"
    checks: list[tuple[str, str]] = []  # (condition, statement storing r[key])
    if inner_t.kind == LEAF:
        if f.same is not None:
            checks.append((f"type(v) is {f.same.__name__}", f"r[{key}] = v"))
        elif inner_t.fast is int:
            checks.append((f"type(v) is int and {INT32_MIN} <= v <= {INT32_MAX}", f"r[{key}] = v"))
        else:
            found = enum_names(inner_t)
            if found is not None:
                enum_cls, names = found
                C = w.name("EC", enum_cls)
                N = w.name("EN", names)
                checks.append((f"type(v) is {C} and v in {N}", f"r[{key}] = {N}[v]"))
    elif inner_t.kind == OBJECT and inner_t.target is not None:
        target = inner_t.target
        obj_cls = target.cls
        if obj_cls is not None:
            C = w.name("C", obj_cls)
            inner = "boundary" if not nullable else f"Boundary(r, {key}, {fpath})"
            checks.append(
                (
                    f"type(v) is {C} and getattr(v, CAST, None) is None",
                    f"r[{key}] = " + _object(w, target, "v", fpath, inner),
                )
            )
    elif inner_t.kind == LIST and inner_t.of is not None:
        item_t = inner_t.of
        item_nullable = item_t.kind != NON_NULL
        item_obj: TypePlan = item_t if item_nullable else item_t.of  # type: ignore[assignment]
        if item_obj.kind == OBJECT and item_obj.target is not None:
            item_cls = item_obj.target.cls
            if item_cls is not None:
                _list(w, f, F, key, fpath, d, nullable, item_t, item_nullable, item_obj.target, item_cls)
                return
    if nullable:
        checks.append(("v is None", f"r[{key}] = None"))
    if not checks:
        w.emit(d, slow)
        return
    for i, (condition, store) in enumerate(checks):
        w.emit(d, f"{'if' if i == 0 else 'elif'} {condition}:")
        w.emit(d + 1, store)
    w.emit(d, "else:")
    w.emit(d + 1, slow)


def _object(w: _Writer, target: ObjectPlan, var: str, path: str, inner: str) -> str:
    """The expression completing ``var`` (an instance of the target's class)."""
    run = w.name("RUN", generate(target, w.inline_calls, w.info_class, w.runtime))
    if target.root is None:
        return f"{run}(w, {var}, {path}, {inner})"
    P = w.name("P", target)
    return (
        f"(w.shared_object({P}, {target.root}, {var}, {path}, {inner}) "
        f"if w.versions is not None else {run}(w, {var}, {path}, {inner}))"
    )


def _list(
    w: _Writer,
    f: FieldPlan,
    F: str,
    key: str,
    fpath: str,
    d: int,
    nullable: bool,
    item_t: TypePlan,
    item_nullable: bool,
    target: ObjectPlan,
    cls: type,
) -> None:
    """A Python list of objects of the item type's class, completed in line
    (other items and other values through the walker)."""
    C = w.name("C", cls)
    IT = w.name("IT", item_t)
    w.emit(d, "if type(v) is list:")
    w.emit(d + 1, "try:")
    e = d + 2
    w.emit(e, "out = []")
    w.emit(e, f"lb = {'boundary' if not nullable else f'Boundary(r, {key}, {fpath})'}")
    w.emit(e, "for i, item in enumerate(v):")
    w.emit(e + 1, f"ip = _path({fpath}, i, None)")
    w.emit(e + 1, f"if type(item) is {C} and getattr(item, CAST, None) is None:")
    inner = "Boundary(out, i, ip)" if item_nullable else "lb"
    w.emit(e + 2, "try:")
    w.emit(e + 3, "out.append(" + _object(w, target, "item", "ip", inner) + ")")
    w.emit(e + 2, "except Exception as raw:")
    w.emit(e + 3, f"out.append(w.field_error(raw, {IT}, {F}, ip))")
    w.emit(e + 1, "else:")
    w.emit(e + 2, "out.append(None)")
    w.emit(e + 2, f"w.list_item(out, i, {F}, {IT}, item, ip, lb)")
    w.emit(e, f"r[{key}] = out")
    w.emit(d + 1, "except Exception as raw:")
    w.emit(d + 2, f"r[{key}] = w.field_error(raw, {F}.type, {F}, {fpath})")
    if nullable:
        w.emit(d, "elif v is None:")
        w.emit(d + 1, f"r[{key}] = None")
    w.emit(d, "else:")
    w.emit(d + 1, f"w.finish(r, {F}, v, path, {fpath}, boundary)")

"""Schema checks for records read from files, fast enough for millions of records.

``jsonschema`` (what the crawl's validation pipeline uses) takes about half a millisecond a
record. :class:`RecordValidator` compiles the same JSON Schema into plain Python checks for the
keywords it uses; only a record that fails them goes through ``jsonschema``, which gives the
message and has the last word. A schema using a keyword the compiler does not know is checked
by ``jsonschema`` alone.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from newscrawler.schemas import article_schema, article_validator

logger = logging.getLogger(__name__)

Check = Callable[[Any], bool]

# Keywords with no effect on validity.
_ANNOTATIONS = {"$schema", "$id", "$defs", "title", "description", "$comment", "examples"}


class UnsupportedSchema(Exception):
    """The schema uses a keyword the compiler does not implement."""


_TYPE_TESTS = {
    "null": "{v} is None",
    "string": "type({v}) is str",
    "boolean": "type({v}) is bool",
    "object": "type({v}) is dict",
    "array": "type({v}) is list",
    "integer": "(type({v}) is int or (type({v}) is float and {v}.is_integer()))",
    "number": "type({v}) in (int, float)",
}


def _json_equal(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    return bool(a == b)


class _Compiler:
    """Generate the source of one Python function that returns False on the first violation.

    Values come from ``json.loads`` (or Arrow ``to_pylist``), so exact ``type()`` tests are
    right and fast; ``bool`` is not an ``int`` here, as in JSON Schema.
    """

    def __init__(self, root: dict[str, Any]) -> None:
        self.root = root
        self.consts: dict[str, Any] = {"_equal": _json_equal, "_MISSING": object()}
        self.lines: list[str] = []
        self.counter = 0
        self.refs: list[str] = []

    def name(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def const(self, value: Any) -> str:
        key = self.name("c")
        self.consts[key] = value
        return key

    def emit(self, depth: int, line: str) -> None:
        self.lines.append("    " * depth + line)

    def node(self, node: Any, v: str, depth: int) -> None:
        if node is True:
            return
        if node is False:
            self.emit(depth, "return False")
            return
        for key, arg in node.items():
            if key in _ANNOTATIONS:
                continue
            handler = getattr(self, "kw_" + key.lstrip("$"), None)
            if handler is None:
                raise UnsupportedSchema(key)
            handler(arg, node, v, depth)

    def kw_ref(self, arg: Any, node: Any, v: str, depth: int) -> None:
        if not isinstance(arg, str) or not arg.startswith("#/") or arg in self.refs:
            raise UnsupportedSchema(f"$ref {arg!r}")
        target: Any = self.root
        for part in arg[2:].split("/"):
            target = target[part]
        self.refs.append(arg)
        self.node(target, v, depth)
        self.refs.pop()

    def kw_type(self, arg: Any, node: Any, v: str, depth: int) -> None:
        tests = [_TYPE_TESTS[t].format(v=v) for t in ([arg] if isinstance(arg, str) else arg)]
        self.emit(depth, f"if not ({' or '.join(tests)}): return False")

    def kw_properties(self, arg: Any, node: Any, v: str, depth: int) -> None:
        self.emit(depth, f"if type({v}) is dict:")
        self.emit(depth + 1, "pass")
        for prop, sub in arg.items():
            x = self.name("x")
            self.emit(depth + 1, f"{x} = {v}.get({prop!r}, _MISSING)")
            self.emit(depth + 1, f"if {x} is not _MISSING:")
            self.emit(depth + 2, "pass")
            self.node(sub, x, depth + 2)

    def kw_required(self, arg: Any, node: Any, v: str, depth: int) -> None:
        names = self.const(frozenset(arg))
        self.emit(depth, f"if type({v}) is dict and not {names} <= {v}.keys(): return False")

    def kw_additionalProperties(self, arg: Any, node: Any, v: str, depth: int) -> None:
        known = self.const(frozenset(node.get("properties", {})))
        if arg is True:
            return
        if arg is False:
            self.emit(depth, f"if type({v}) is dict and not {v}.keys() <= {known}: return False")
            return
        k = self.name("k")
        self.emit(depth, f"if type({v}) is dict:")
        self.emit(depth + 1, f"for {k} in {v}.keys() - {known}:")
        self.emit(depth + 2, "pass")
        self.node(arg, f"{v}[{k}]", depth + 2)

    def kw_items(self, arg: Any, node: Any, v: str, depth: int) -> None:
        x = self.name("i")
        self.emit(depth, f"if type({v}) is list:")
        self.emit(depth + 1, f"for {x} in {v}:")
        self.emit(depth + 2, "pass")
        self.node(arg, x, depth + 2)

    def kw_pattern(self, arg: Any, node: Any, v: str, depth: int) -> None:
        search = self.const(re.compile(arg).search)
        self.emit(depth, f"if type({v}) is str and {search}({v}) is None: return False")

    def kw_minLength(self, arg: Any, node: Any, v: str, depth: int) -> None:
        self.emit(depth, f"if type({v}) is str and len({v}) < {int(arg)}: return False")

    def kw_maxLength(self, arg: Any, node: Any, v: str, depth: int) -> None:
        self.emit(depth, f"if type({v}) is str and len({v}) > {int(arg)}: return False")

    def kw_minimum(self, arg: Any, node: Any, v: str, depth: int) -> None:
        self.emit(depth, f"if type({v}) in (int, float) and {v} < {arg!r}: return False")

    def kw_maximum(self, arg: Any, node: Any, v: str, depth: int) -> None:
        self.emit(depth, f"if type({v}) in (int, float) and {v} > {arg!r}: return False")

    def kw_enum(self, arg: Any, node: Any, v: str, depth: int) -> None:
        values = self.const(list(arg))
        self.emit(depth, f"if not any(_equal({v}, e) for e in {values}): return False")

    def kw_const(self, arg: Any, node: Any, v: str, depth: int) -> None:
        self.emit(depth, f"if not _equal({v}, {self.const(arg)}): return False")


def compile_schema(schema: dict[str, Any], root: dict[str, Any]) -> Check:
    """A predicate equivalent to ``schema`` for the JSON Schema keywords it supports;
    raises :class:`UnsupportedSchema` for any other keyword."""
    compiler = _Compiler(root)
    compiler.node(schema, "v", 1)
    source = "def check(v):\n" + "\n".join(compiler.lines) + "\n    return True\n"
    namespace = dict(compiler.consts)
    exec(compile(source, "<record schema>", "exec"), namespace)
    check: Check = namespace["check"]
    return check


def jsonschema_errors(record: Any, *, partial: bool = False) -> list[str]:
    """Readable schema violations; with ``partial``, missing required fields are allowed."""
    errors = []
    for error in article_validator().iter_errors(record):
        if partial and error.validator == "required" and not error.absolute_path:
            continue
        path = "/".join(str(p) for p in error.absolute_path) or "<record>"
        errors.append(f"{path}: {error.message}")
    return errors


class RecordValidator:
    """Check records against the article schema; ``errors(record)`` is empty when valid."""

    def __init__(self) -> None:
        schema = article_schema()
        try:
            self._full: Check | None = compile_schema(schema, schema)
            self._partial: Check | None = compile_schema(
                {k: v for k, v in schema.items() if k != "required"}, schema
            )
        except UnsupportedSchema as exc:
            logger.info("Record schema uses %s: validating with jsonschema only (slower)", exc)
            self._full = self._partial = None

    def errors(self, record: Any, *, partial: bool = False) -> list[str]:
        """Violations of ``record``; ``partial`` records (a subset of the fields) may lack
        required fields."""
        fast = self._partial if partial else self._full
        if fast is not None and fast(record):
            return []
        return jsonschema_errors(record, partial=partial)

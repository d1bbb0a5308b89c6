"""SHACL Core, compiled to Python checks for the load path.

pyshacl is the reference validator, but on the load path it cost more than everything else
(building an rdflib graph of each batch, then evaluating each constraint through rdflib's
generic machinery). The shapes file stays the one source of truth: this module reads it and
compiles the constraint components it uses into closures evaluated over a plain index of the
batch. The semantics follow pyshacl's (datatype with ill-typed literals, pattern on blank
nodes, comparison of property pairs, generic messages), and ``tests/shapes/test_compiled.py``
checks that both validators report the same results on valid and faulty records.

A shapes graph using anything outside the supported subset (SPARQL constraints, closed shapes,
qualified shapes, complex paths other than alternatives and inverses) raises
:class:`Unsupported` when compiled; the pipeline then validates with pyshacl.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, XSD
from rdflib.term import Node

Triple = tuple[Node, Node, Node]


class Unsupported(Exception):
    """The shapes use a SHACL feature this compiler does not implement."""


@dataclass(frozen=True)
class Result:
    """One validation result, as in a SHACL report."""

    focus: Node
    message: str
    path: Node | None
    value: Node | None
    severity: URIRef


class DataIndex:
    """Subjects -> predicates -> objects of a batch, plus the objects of target predicates."""

    def __init__(self, triples: Iterable[Triple], object_targets: frozenset[Node],
                 relevant: frozenset[Node] | None = None,
                 kinds: dict[Node, int] | None = None) -> None:
        """Index ``triples``; with ``relevant``, only those whose predicate the shapes read.

        ``kinds`` remembers, per predicate object, 0 (ignored), 1 (rdf:type), 2
        (rdfs:subClassOf) or 3 (read by a shape): converters reuse the same predicate objects,
        so after the first lookup each one is found by identity, without rdflib's Python-level
        term comparison.
        """
        spo: dict[Node, dict[Node, set[Node]]] = {}
        objects_of: dict[Node, set[Node]] = {p: set() for p in object_targets}
        instances: dict[Node, set[Node]] = defaultdict(set)
        subclass_of: dict[Node, set[Node]] = defaultdict(set)
        kinds = {} if kinds is None else kinds
        for s, p, o in triples:
            kind = kinds.get(p)
            if kind is None:
                kind = kinds[p] = (1 if p == RDF.type else 2 if p == RDFS.subClassOf else
                                   3 if relevant is None or p in relevant else 0)
            if not kind:
                continue
            by_p = spo.get(s)
            if by_p is None:
                by_p = spo[s] = {}
            values = by_p.get(p)
            if values is None:
                by_p[p] = {o}
            else:
                values.add(o)
            if kind == 1:
                instances[o].add(s)
            elif kind == 2:
                subclass_of[o].add(s)
            if p in objects_of:
                objects_of[p].add(o)
        self.spo = spo
        self.objects_of = objects_of
        self.instances = instances
        self.subclasses = subclass_of

    def values(self, node: Node, predicate: Node) -> set[Node]:
        return self.spo.get(node, {}).get(predicate, set())

    def inverse_values(self, node: Node, predicate: Node) -> set[Node]:
        return {s for s, by_p in self.spo.items() if node in by_p.get(predicate, ())}

    def class_closure(self, cls: Node) -> set[Node]:
        """The class and its subclasses (rdfs:subClassOf in the data, as SHACL says)."""
        out, todo = {cls}, [cls]
        while todo:
            for sub in self.subclasses.get(todo.pop(), ()):
                if sub not in out:
                    out.add(sub)
                    todo.append(sub)
        return out

    def instances_of(self, cls: Node) -> set[Node]:
        if not self.subclasses:
            return self.instances.get(cls, set())
        return set().union(*(self.instances.get(c, set()) for c in self.class_closure(cls)))

    def has_type(self, node: Node, cls: Node) -> bool:
        types = self.values(node, RDF.type)
        if cls in types:
            return True
        return bool(self.subclasses) and not types.isdisjoint(self.class_closure(cls))


# A component: (index, focus, value nodes) -> (value node or None, generic message) per fault.
Found = list[tuple[Node | None, str]]  # (value node or None, generic message) per fault
Component = Callable[[DataIndex, Node, set[Node]], Found]

_DATATYPE_VALUE: dict[Node, type | tuple[type, ...]] = {
    XSD.string: (str, bytes), RDF.langString: (str, bytes), XSD.integer: int,
    XSD.float: float, XSD.decimal: Decimal, XSD.boolean: bool, XSD.date: date,
    XSD.time: time, XSD.dateTime: datetime,
}
_NODE_KINDS: dict[Node, tuple[type, ...]] = {
    SH.IRI: (URIRef,), SH.Literal: (Literal,), SH.BlankNode: (BNode,),
    SH.BlankNodeOrIRI: (BNode, URIRef), SH.BlankNodeOrLiteral: (BNode, Literal),
    SH.IRIOrLiteral: (URIRef, Literal),
}
_TARGETS = {SH.targetClass, SH.targetNode, SH.targetObjectsOf, SH.targetSubjectsOf}
_ANNOTATIONS = {SH.message, SH.name, SH.description, SH.order, SH.group, SH.severity,
                SH.deactivated, SH.defaultValue, SH.path, SH.property, SH.flags}


def _datatype_ok(v: Node, dt: Node) -> bool:
    """pyshacl's reading of sh:datatype (SPARQL datatype, ill-typed literals fail)."""
    if not isinstance(v, Literal):
        return False
    if v.datatype == dt:
        if getattr(v, "ill_typed", None) is True:
            return False
        expected = _DATATYPE_VALUE.get(dt)
        return expected is None or isinstance(v.value, expected)
    if dt == RDFS.Literal:
        return True
    if dt == RDFS.Datatype:
        return v.datatype is not None
    if dt == XSD.string and v.datatype is None and v.language is None:
        return isinstance(v.value, (str, bytes))
    if dt == RDF.langString and v.language:
        return isinstance(v.value, (str, bytes))
    return False


def _le(a: Node, b: Node, strict: bool) -> bool:
    """pyshacl's comparison of a property pair (strings with strings, values otherwise)."""
    if (isinstance(a, Literal) and isinstance(b, Literal) and a.datatype == b.datatype
            and type(a.value) is type(b.value) and type(a.value) in (date, int, Decimal)):
        # Well-typed values of one datatype: what rdflib's comparison does, without its cost.
        return bool(a.value < b.value) if strict else bool(a.value <= b.value)
    a_str = isinstance(a, URIRef) or (isinstance(a, Literal) and isinstance(a.value, str))
    b_str = isinstance(b, URIRef) or (isinstance(b, Literal) and isinstance(b.value, str))
    if a_str != b_str:
        return False
    x: object = str(a) if isinstance(a, URIRef) else (a.value if isinstance(a, Literal) and a_str
                                                       else a)
    y: object = str(b) if isinstance(b, URIRef) else (b.value if isinstance(b, Literal) and b_str
                                                       else b)
    try:
        return bool(x < y) if strict else bool(x <= y)  # type: ignore[operator]
    except TypeError:
        return False


class Shape:
    """A node or property shape with its compiled components."""

    def __init__(self, node: Node) -> None:
        self.node = node
        self.path: Node | None = None          # the sh:path node (None for a node shape)
        self.predicates: tuple[tuple[Node, bool], ...] = ()  # (predicate, inverse) alternatives
        self.message: str | None = None
        self.severity: URIRef = SH.Violation
        self.deactivated = False
        self.components: list[Component] = []
        self.properties: list[Shape] = []

    def value_nodes(self, index: DataIndex, focus: Node) -> set[Node]:
        if self.path is None:
            return {focus}
        if len(self.predicates) == 1 and not self.predicates[0][1]:
            return index.values(focus, self.predicates[0][0])
        out: set[Node] = set()
        for p, inverse in self.predicates:
            out |= index.inverse_values(focus, p) if inverse else index.values(focus, p)
        return out

    def results(self, index: DataIndex, focus: Node) -> list[Result]:
        # Lists, not generators: most checks find nothing, and building a generator per
        # component and focus node cost more than the checks themselves.
        if self.deactivated:
            return []
        values = self.value_nodes(index, focus)
        out: list[Result] = []
        for component in self.components:
            found = component(index, focus, values)
            if found:
                out += [Result(focus, self.message or generic, self.path, value, self.severity)
                        for value, generic in found]
        for prop in self.properties:
            for v in values:
                out += prop.results(index, v)
        return out

    def conforms(self, index: DataIndex, focus: Node) -> bool:
        return not self.results(index, focus)


class CompiledShapes:
    """The targeted shapes of a shapes graph, ready to validate batches of triples."""

    def __init__(self, shapes: Graph) -> None:
        self.graph = shapes
        self._memo: dict[Node, Shape] = {}
        self._predicates: set[Node] = {RDF.type, RDFS.subClassOf}
        self._kinds: dict[Node, int] = {}  # predicate object -> kind, see DataIndex
        self.targeted: list[tuple[Shape, list[tuple[URIRef, Node]]]] = []
        roots = {s for t in _TARGETS for s in shapes.subjects(t, None)}
        for node in sorted(roots, key=str):
            for cls in shapes.objects(node, RDF.type):
                if cls in (RDFS.Class, URIRef("http://www.w3.org/2002/07/owl#Class")):
                    raise Unsupported(f"implicit class target on {node}")
            targets = [(t, o) for t in _TARGETS for o in shapes.objects(node, t)]
            self.targeted.append((self._shape(node), targets))
        self.object_targets = frozenset(
            o for _, targets in self.targeted for t, o in targets if t == SH.targetObjectsOf)
        self.relevant = frozenset(self._predicates | {
            o for _, targets in self.targeted for t, o in targets
            if t in (SH.targetObjectsOf, SH.targetSubjectsOf)})

    def name(self, node: Node) -> str:
        if isinstance(node, URIRef):
            return self.graph.namespace_manager.normalizeUri(node)
        return str(node)

    def validate(self, triples: Iterable[Triple]) -> list[Result]:
        index = DataIndex(triples, self.object_targets, self.relevant, self._kinds)
        out: list[Result] = []
        for shape, targets in self.targeted:
            focus: set[Node] = set()
            for kind, value in targets:
                if kind == SH.targetClass:
                    focus |= index.instances_of(value)
                elif kind == SH.targetNode:
                    focus.add(value)
                elif kind == SH.targetObjectsOf:
                    focus |= index.objects_of[value]
                else:
                    focus |= {s for s, by_p in index.spo.items() if value in by_p}
            for f in focus:
                out.extend(shape.results(index, f))
        return out

    # ------------------------------------------------------------------ compilation
    def _one(self, node: Node, param: URIRef) -> Node:
        values = list(self.graph.objects(node, param))
        if len(values) != 1:
            raise Unsupported(f"{self.name(param)} given {len(values)} times on {node}")
        return values[0]

    def _list(self, node: Node) -> list[Node]:
        return list(Collection(self.graph, node))

    def _shape(self, node: Node) -> Shape:
        if node in self._memo:
            return self._memo[node]
        g = self.graph
        shape = self._memo[node] = Shape(node)
        params = {p for p in g.predicates(node, None)
                  if isinstance(p, URIRef) and str(p).startswith(str(SH))}
        message = g.value(node, SH.message)
        shape.message = str(message) if message is not None else None
        severity = g.value(node, SH.severity)
        if isinstance(severity, URIRef):
            shape.severity = severity
        shape.deactivated = g.value(node, SH.deactivated) == Literal(True)
        path = g.value(node, SH.path)
        if path is not None:
            shape.path = path
            shape.predicates = self._path(path)
            self._predicates.update(p for p, _ in shape.predicates)
        for prop in g.objects(node, SH.property):
            shape.properties.append(self._shape(prop))
        for param in sorted(params - _ANNOTATIONS - _TARGETS, key=str):
            shape.components.append(self._component(shape, param))
        return shape

    def _path(self, path: Node) -> tuple[tuple[Node, bool], ...]:
        if isinstance(path, URIRef):
            return ((path, False),)
        alternatives = self.graph.value(path, SH.alternativePath)
        inverse = self.graph.value(path, SH.inversePath)
        if isinstance(inverse, URIRef):
            return ((inverse, True),)
        if alternatives is not None:
            out: list[tuple[Node, bool]] = []
            for member in self._list(alternatives):
                out.extend(self._path(member))
            return tuple(out)
        raise Unsupported(f"sh:path form of {path} (only predicates, alternatives, inverses)")

    def _component(self, shape: Shape, param: URIRef) -> Component:
        node, g, name = shape.node, self.graph, self.name
        path = name(shape.path) if shape.path is not None else "the focus node"
        if param in (SH.minCount, SH.maxCount):
            n = int(self._one(node, param))  # type: ignore[call-overload]
            if param == SH.minCount:
                def min_count(_i: DataIndex, _f: Node, vs: set[Node]) -> Found:
                    return [(None, f"Less than {n} values on {path}")] if len(vs) < n else []
                return min_count

            def max_count(_i: DataIndex, _f: Node, vs: set[Node]) -> Found:
                return [(None, f"More than {n} values on {path}")] if len(vs) > n else []
            return max_count
        if param == SH.datatype:
            dt = self._one(node, param)
            text = f"Value is not Literal with datatype {name(dt)}"
            return _each(lambda v: _datatype_ok(v, dt), text)
        if param == SH.nodeKind:
            kind = self._one(node, param)
            if kind not in _NODE_KINDS:
                raise Unsupported(f"sh:nodeKind {kind}")
            kinds = _NODE_KINDS[kind]
            return _each(lambda v: isinstance(v, kinds), f"Value is not of Node Kind {name(kind)}")
        if param == SH.minLength or param == SH.maxLength:
            n = int(self._one(node, param))  # type: ignore[call-overload]
            if param == SH.minLength:
                return _each(lambda v: not isinstance(v, BNode) and len(str(v)) >= n,
                             f"String length not >= {n}")
            return _each(lambda v: not isinstance(v, BNode) and len(str(v)) <= n,
                         f"String length not <= {n}")
        if param == SH.pattern:
            flags = 0
            for f in str(g.value(node, SH.flags) or ""):
                flags |= {"i": re.I, "m": re.M, "s": re.S, "x": re.X}.get(f, 0)
            rx = re.compile(str(self._one(node, param)), flags)
            return _each(lambda v: not isinstance(v, BNode) and rx.search(str(v)) is not None,
                         f"Value does not match pattern {str(rx.pattern)!r}")
        if param == SH["class"]:
            cls = self._one(node, param)
            return _each_i(lambda i, v: not isinstance(v, Literal) and i.has_type(v, cls),
                           f"Value does not have class {name(cls)}")
        if param == SH["in"]:
            allowed = set(self._list(self._one(node, param)))
            return _each(lambda v: v in allowed, "Value not in list")
        if param == SH.hasValue:
            wanted = self._one(node, param)

            def has_value(_i: DataIndex, _f: Node, vs: set[Node]) -> Found:
                return [] if wanted in vs else [(None, f"Node does not have value {wanted}")]
            return has_value
        if param == SH.languageIn:
            langs = [str(x).lower() for x in self._list(self._one(node, param))]
            return _each(lambda v: isinstance(v, Literal) and bool(v.language) and any(
                str(v.language).lower() == lang or str(v.language).lower().startswith(
                    lang + "-") for lang in langs), "Language not in list")
        if param in (SH.lessThan, SH.lessThanOrEquals, SH.equals, SH.disjoint):
            other = self._one(node, param)
            if not isinstance(other, URIRef):
                raise Unsupported(f"{name(param)} with a non-IRI value")
            self._predicates.add(other)
            return _pair(param, other, name(other))
        if param in (SH["or"], SH["and"], SH.xone, SH["not"], SH.node):
            return self._logical(param, node)
        if param == SH.uniqueLang:
            if self._one(node, param) != Literal(True):
                return lambda _i, _f, _vs: []

            def unique_lang(_i: DataIndex, _f: Node, vs: set[Node]) -> Found:
                langs = [str(v.language).lower() for v in vs
                         if isinstance(v, Literal) and v.language]
                if len(langs) != len(set(langs)):
                    return [(None, "More than one String shares the same Language")]
                return []
            return unique_lang
        raise Unsupported(f"{name(param)} on {node}")

    def _logical(self, param: URIRef, node: Node) -> Component:
        if param in (SH["not"], SH.node):
            members = [self._shape(m) for m in self.graph.objects(node, param)]
        else:
            members = [self._shape(m) for m in self._list(self._one(node, param))]
        label = self.name(param)

        def ok(i: DataIndex, v: Node) -> bool:
            passed = sum(1 for m in members if m.conforms(i, v))
            if param == SH["or"]:
                return passed >= 1
            if param == SH.xone:
                return passed == 1
            if param == SH["not"]:
                return passed == 0
            return passed == len(members)  # sh:and, sh:node

        return _each_i(ok, f"Node does not conform to the {label} constraint")


def _each(test: Callable[[Node], bool], message: str) -> Component:
    def component(_i: DataIndex, _f: Node, vs: set[Node]) -> Found:
        return [(v, message) for v in vs if not test(v)]
    return component


def _each_i(test: Callable[[DataIndex, Node], bool], message: str) -> Component:
    def component(i: DataIndex, _f: Node, vs: set[Node]) -> Found:
        return [(v, message) for v in vs if not test(i, v)]
    return component


def _pair(param: URIRef, other: URIRef, other_name: str) -> Component:
    def component(i: DataIndex, f: Node, vs: set[Node]) -> Found:
        others = i.values(f, other)
        if param == SH.equals:
            return [(v, f"Value of {other_name} differs") for v in vs ^ others]
        if param == SH.disjoint:
            return [(v, f"Value is also a value of {other_name}") for v in vs & others]
        strict = param == SH.lessThan
        return [(v, f"Value is not {'<' if strict else '<='} {other_name}")
                for v in vs for w in others if not _le(v, w, strict)]
    return component

"""OAI-PMH 2.0 provider: the collections as records, for aggregators (Isidore, the CCFr...).

- **Records**: one per collection notice (EAD or Dublin Core source records), identified by the
  collection's IRI (OAI-PMH identifiers are URIs). Its datestamp is the last time the notice or
  a list row about it (CollEx label, network membership) was written, to the second (UTC).
- **Formats**: ``oai_dc`` (Dublin Core, the protocol's required format) and ``rdf`` (the
  collection's own statements as RDF/XML, with the labels of what it points to).
- **Sets**: ``institution:{ISIL}``, ``network:{id}``, ``discipline:{code}``
  (``loaders.tombstones.set_specs``).
- **Deletions**: ``deletedRecord=persistent``: a notice removed by a load leaves a tombstone
  (``loaders/tombstones.py``), served as a header with ``status="deleted"``.
- **Resumption tokens** carry the whole position (the last datestamp and identifier sent, the
  arguments, the cursor): they survive a restart and never expire; a list resumed after
  writes may repeat records (changed ones come again, later), it never skips one.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pyoxigraph as ox
from lxml import etree

from graph.base import ReadStore, is_true
from loaders.tombstones import DISCIPLINES, NOTICE_SOURCES, set_specs
from loaders.xmlsafe import XmlRejected, parse_xml
from ontology import SPARQL_PREFIXES

OAI = "http://www.openarchives.org/OAI/2.0/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC = "http://purl.org/dc/elements/1.1/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
FORMATS = {
    "oai_dc": ("http://www.openarchives.org/OAI/2.0/oai_dc.xsd", OAI_DC),
    "rdf": ("http://www.openarchives.org/OAI/2.0/rdf.xsd", RDF),
}
PAGE = {"ListRecords": 100, "ListIdentifiers": 500}
_ARGS = {  # verb: (required, optional, exclusive)
    "Identify": (set(), set(), None),
    "ListMetadataFormats": (set(), {"identifier"}, None),
    "ListSets": (set(), set(), "resumptionToken"),
    "ListIdentifiers": ({"metadataPrefix"}, {"from", "until", "set"}, "resumptionToken"),
    "ListRecords": ({"metadataPrefix"}, {"from", "until", "set"}, "resumptionToken"),
    "GetRecord": ({"identifier", "metadataPrefix"}, set(), None),
}
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_SECOND = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
_SET = re.compile(r"(institution|network|discipline):[A-Za-z0-9\-_.!~*'()]+")
P = SPARQL_PREFIXES
LABEL = "skos:prefLabel|foaf:name|rdfs:label"


# characters XML 1.0 cannot carry (a request's arguments are echoed in the answer)
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class OaiError(Exception):
    """An OAI-PMH error condition (its code and message go in the answer)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Header:
    identifier: str
    datestamp: str  # YYYY-MM-DDThh:mm:ssZ
    deleted: bool
    sets: tuple[str, ...] = ()


def _v(row: Mapping[str, object], key: str) -> str:
    return str(getattr(row.get(key), "value", "") or "")


def _lit(text: str) -> str:
    """A SPARQL string literal."""
    return json.dumps(text, ensure_ascii=False)


def utc(value: str) -> str:
    """An xsd:dateTime lexical form as the protocol's UTC datestamp.

    >>> utc("2026-11-30T10:00:00+00:00"), utc("2026-11-30T11:00:00.5+01:00")
    ('2026-11-30T10:00:00Z', '2026-11-30T10:00:00Z')
    """
    when = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _date_arg(name: str, value: str, end: bool) -> tuple[str, str]:
    """``(granularity, xsd:dateTime lexical)`` of a from/until argument."""
    if _SECOND.fullmatch(value):
        granularity, text = "second", value
    elif _DAY.fullmatch(value):
        granularity, text = "day", value + ("T23:59:59Z" if end else "T00:00:00Z")
    else:
        raise OaiError("badArgument", f"{name}={value!r} is not a UTC date (YYYY-MM-DD or"
                       " YYYY-MM-DDThh:mm:ssZ)")
    try:
        dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        raise OaiError("badArgument", f"{name}={value!r} is not a date") from None
    return granularity, text


def encode_token(state: dict[str, object]) -> str:
    raw = json.dumps(state, separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(token: str, verb: str) -> dict[str, object]:
    bad = OaiError("badResumptionToken", "the resumption token is not one this repository"
                   " gave for this verb")
    if len(token) > 4000 or not re.fullmatch(r"[A-Za-z0-9_\-]+", token):
        raise bad
    try:
        state = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (ValueError, UnicodeDecodeError):
        raise bad from None
    if (not isinstance(state, dict) or state.get("v") != verb
            or state.get("m") not in FORMATS
            or not all(isinstance(state.get(k), (str, type(None))) for k in "fus")
            or not (isinstance(state.get("a"), list) and len(state["a"]) == 2
                    and all(isinstance(x, str) for x in state["a"]))
            or not isinstance(state.get("n"), int) or not isinstance(state.get("t"), int)):
        raise bad
    try:
        _date_arg("after", state["a"][0], False)
        for key in "fu":
            if state.get(key):
                _date_arg("from", str(state[key]), key == "u")
    except OaiError:
        raise bad from None
    if state.get("s") and not _SET.fullmatch(str(state["s"])):
        raise bad
    return state


class Provider:
    """Answers OAI-PMH requests from a read-only store."""

    def __init__(self, reader: ReadStore, base: str, base_url: str, admin_email: str,
                 name: str = "CollEx — collections d'excellence") -> None:
        self.reader = reader
        self.base = base
        self.base_url = base_url
        self.admin_email = admin_email
        self.name = name

    # ------------------------------------------------------------------ the envelope
    def answer(self, args: Mapping[str, Sequence[str]]) -> bytes:
        """The whole OAI-PMH answer (XML bytes) to the request's arguments."""
        root = etree.Element(f"{{{OAI}}}OAI-PMH",
                             nsmap={None: OAI, "xsi": XSI})  # type: ignore[dict-item]
        root.set(f"{{{XSI}}}schemaLocation", f"{OAI} http://www.openarchives.org/OAI/2.0/"
                 "OAI-PMH.xsd")
        etree.SubElement(root, f"{{{OAI}}}responseDate").text = dt.datetime.now(
            dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        request = etree.SubElement(root, f"{{{OAI}}}request")
        request.text = self.base_url
        try:
            verb, one = self._check(args)
            for key, value in one.items():  # only for a request without badVerb/badArgument
                request.set(key, value)
            request.set("verb", verb)
            body = etree.Element("body")
            getattr(self, f"_{verb}")(body, one)
            root.extend(list(body))
        except OaiError as exc:
            if exc.code in ("badVerb", "badArgument"):
                request.attrib.clear()
            etree.SubElement(root, f"{{{OAI}}}error", code=exc.code).text = _XML_BAD.sub(
                "\ufffd", str(exc))
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8")

    def _check(self, args: Mapping[str, Sequence[str]]) -> tuple[str, dict[str, str]]:
        for key, values in args.items():
            if _XML_BAD.search(key) or any(_XML_BAD.search(v) for v in values):
                raise OaiError("badVerb" if key == "verb" else "badArgument",
                               f"argument {key!r} holds characters XML cannot carry (control"
                               " characters)")
        verbs = args.get("verb", [])
        if len(verbs) != 1 or verbs[0] not in _ARGS:
            raise OaiError("badVerb", "verb missing, repeated or not an OAI-PMH verb" if
                           len(verbs) != 1 else f"{verbs[0]!r} is not an OAI-PMH verb")
        verb = verbs[0]
        required, optional, exclusive = _ARGS[verb]
        one: dict[str, str] = {}
        for key, values in args.items():
            if key == "verb":
                continue
            if key not in required | optional | ({exclusive} if exclusive else set()):
                raise OaiError("badArgument", f"{verb} takes no argument {key!r}")
            if len(values) != 1:
                raise OaiError("badArgument", f"argument {key!r} repeated")
            one[key] = values[0]
        if exclusive and exclusive in one:
            if len(one) > 1:
                raise OaiError("badArgument", f"{exclusive} is an exclusive argument")
            return verb, one
        missing = sorted(required - one.keys())
        if missing:
            raise OaiError("badArgument", f"{verb} needs {', '.join(missing)}")
        return verb, one

    # ------------------------------------------------------------------ the verbs
    def _Identify(self, root: etree._Element, args: dict[str, str]) -> None:
        node = etree.SubElement(root, f"{{{OAI}}}Identify")
        for tag, text in (("repositoryName", self.name), ("baseURL", self.base_url),
                          ("protocolVersion", "2.0"), ("adminEmail", self.admin_email),
                          ("earliestDatestamp", self._earliest()),
                          ("deletedRecord", "persistent"),
                          ("granularity", "YYYY-MM-DDThh:mm:ssZ")):
            etree.SubElement(node, f"{{{OAI}}}{tag}").text = text

    def _ListMetadataFormats(self, root: etree._Element, args: dict[str, str]) -> None:
        if "identifier" in args:
            self._header(args["identifier"])  # idDoesNotExist
        node = etree.SubElement(root, f"{{{OAI}}}ListMetadataFormats")
        for prefix, (schema, namespace) in FORMATS.items():
            fmt = etree.SubElement(node, f"{{{OAI}}}metadataFormat")
            for tag, text in (("metadataPrefix", prefix), ("schema", schema),
                              ("metadataNamespace", namespace)):
                etree.SubElement(fmt, f"{{{OAI}}}{tag}").text = text

    def _ListSets(self, root: etree._Element, args: dict[str, str]) -> None:
        if "resumptionToken" in args:  # every set is given in one answer
            raise OaiError("badResumptionToken", "this repository gives no token for ListSets")
        node = etree.SubElement(root, f"{{{OAI}}}ListSets")
        for spec, name in self.sets():
            item = etree.SubElement(node, f"{{{OAI}}}set")
            etree.SubElement(item, f"{{{OAI}}}setSpec").text = spec
            etree.SubElement(item, f"{{{OAI}}}setName").text = name

    def _GetRecord(self, root: etree._Element, args: dict[str, str]) -> None:
        prefix = self._prefix(args["metadataPrefix"])
        header = self._header(args["identifier"])
        node = etree.SubElement(root, f"{{{OAI}}}GetRecord")
        self._records(node, [header], prefix)

    def _ListIdentifiers(self, root: etree._Element, args: dict[str, str]) -> None:
        self._list(root, args, "ListIdentifiers")

    def _ListRecords(self, root: etree._Element, args: dict[str, str]) -> None:
        self._list(root, args, "ListRecords")

    def _list(self, root: etree._Element, args: dict[str, str], verb: str) -> None:
        if "resumptionToken" in args:
            state = decode_token(args["resumptionToken"], verb)
        else:
            prefix = self._prefix(args["metadataPrefix"])
            start = end = None
            if "from" in args:
                gran_f, start = _date_arg("from", args["from"], False)
            if "until" in args:
                gran_u, end = _date_arg("until", args["until"], True)
            if start and end:
                if gran_f != gran_u:
                    raise OaiError("badArgument", "from and until have different granularities")
                if start > end:
                    raise OaiError("badArgument", "from is later than until")
            spec = args.get("set")
            if spec is not None and not _SET.fullmatch(spec):
                raise OaiError("badArgument" if spec == "" else "noRecordsMatch",
                               f"no set {spec!r} in this repository (sets: institution:ISIL,"
                               " network:id, discipline:code)")
            state = {"v": verb, "m": prefix, "f": start, "u": end, "s": spec,
                     "a": ["0001-01-01T00:00:00Z", ""], "n": 0, "t": -1}
        size = PAGE[verb]
        if state["t"] == -1:
            state["t"] = self._count(state)
        headers = self._page(state, size + 1)
        more = len(headers) > size
        headers = headers[:size]
        if not headers:
            if state["n"]:
                raise OaiError("badResumptionToken", "the list has no more records (the"
                               " data changed since the token was given)")
            raise OaiError("noRecordsMatch", "no record matches these arguments")
        node = etree.SubElement(root, f"{{{OAI}}}{verb}")
        if verb == "ListRecords":
            self._records(node, headers, str(state["m"]))
        else:
            for h in headers:
                self._header_element(node, h)
        cursor = int(state["n"])  # type: ignore[call-overload]
        if more or cursor:
            token = etree.SubElement(node, f"{{{OAI}}}resumptionToken",
                                     completeListSize=str(state["t"]), cursor=str(cursor))
            if more:
                last = headers[-1]
                token.text = encode_token({**state, "a": [last.datestamp, last.identifier],
                                           "n": cursor + len(headers)})

    # ------------------------------------------------------------------ queries
    def _notice_filter(self, var: str) -> str:
        return " || ".join(f'STRSTARTS(STR({var}), "{self.base}graph/{s}/")'
                           for s in NOTICE_SOURCES)

    def _selection(self, state: Mapping[str, object], only: str | None = None) -> str:
        """The WHERE body binding ?c, ?ds (xsd:dateTime) and ?deleted for the list (or for
        the one collection ``only``)."""
        one = f"VALUES ?c {{ <{only}> }}" if only else ""
        spec = state.get("s")
        live_set = tomb_set = ""
        if spec:
            kind, value = str(spec).split(":", 1)
            target = {"institution": f"<{self.base}id/institution/{value}>",
                      "network": f"<{self.base}id/network/{value}>",
                      "discipline": f"<{DISCIPLINES}{value}>"}[kind]
            live_set = {"institution": f"?c rico:hasOrHadHolder {target} .",
                        "network": f"{target} collex:hasMember ?c .",
                        "discipline": f"?c collex:discipline {target} ."}[kind]
            tomb_set = f"?t collex:oaiSetSpec {_lit(str(spec))} ."
        filters = []
        if state.get("f"):
            filters.append(f'?ds >= "{state["f"]}"^^xsd:dateTime')
        if state.get("u"):
            filters.append(f'?ds <= "{state["u"]}"^^xsd:dateTime')
        position = state["a"]
        assert isinstance(position, list)
        after, after_id = str(position[0]), str(position[1])
        if after_id:
            filters.append(f'(?ds > "{after}"^^xsd:dateTime || (?ds = "{after}"^^xsd:dateTime'
                           f" && STR(?c) > {_lit(str(after_id))}))")
        where = " && ".join(filters) or "true"
        return f"""
          {{ SELECT ?c (MAX(?d) AS ?ds) (false AS ?deleted) WHERE {{ {one}
              GRAPH ?g {{ ?c a dcmitype:Collection . ?g prov:generatedAtTime ?d0 }}
              FILTER({self._notice_filter("?g")}) {live_set}
              OPTIONAL {{ GRAPH ?h {{ ?x collex:labelledCollection|collex:member ?c .
                                      ?h prov:generatedAtTime ?d1 }} }}
              BIND(IF(BOUND(?d1) && ?d1 > ?d0, ?d1, ?d0) AS ?d) }} GROUP BY ?c }}
          UNION
          {{ {one} GRAPH ?t {{ ?t a collex:Tombstone ; collex:tombstoneOf ?c ;
                         prov:invalidatedAtTime ?ds . {tomb_set} }}
             FILTER NOT EXISTS {{ GRAPH ?g2 {{ ?c a dcmitype:Collection }}
                                  FILTER({self._notice_filter("?g2")}) }}
             BIND(true AS ?deleted) }}
          FILTER({where})"""

    def _count(self, state: Mapping[str, object]) -> int:
        rows = self.reader.select(P + "SELECT (COUNT(*) AS ?n) WHERE { "
                                  + self._selection({**state, "a": ["", ""]}) + " }")
        return int(_v(rows[0], "n") or 0) if rows else 0

    def _page(self, state: Mapping[str, object], limit: int) -> list[Header]:
        rows = self.reader.select(P + "SELECT ?c ?ds ?deleted WHERE { " + self._selection(
            state) + f" }} ORDER BY ?ds STR(?c) LIMIT {limit}")
        return self._headers(rows)

    def _headers(self, rows: list[dict[str, ox.NamedNode | ox.BlankNode | ox.Literal
                                       | ox.Triple]]) -> list[Header]:
        live = [_v(r, "c") for r in rows if not is_true(r.get("deleted"))]
        sets = set_specs(self.reader, self.base, live)
        dead = [_v(r, "c") for r in rows if is_true(r.get("deleted"))]
        buried: dict[str, list[str]] = defaultdict(list)
        if dead:
            values = " ".join(f"<{c}>" for c in dead)
            for r in self.reader.select(P + f"SELECT ?c ?s WHERE {{ VALUES ?c {{ {values} }}"
                                        " GRAPH ?t { ?t collex:tombstoneOf ?c ;"
                                        " collex:oaiSetSpec ?s } }"):
                buried[_v(r, "c")].append(_v(r, "s"))
        out = []
        for r in rows:
            c, deleted = _v(r, "c"), is_true(r.get("deleted"))
            specs = sorted(set(buried[c] if deleted else sets.get(c, [])))
            out.append(Header(c, utc(_v(r, "ds")), deleted, tuple(specs)))
        return out

    def _header(self, identifier: str) -> Header:
        """The header of one record, or idDoesNotExist."""
        missing = OaiError("idDoesNotExist", f"no record {identifier!r} in this repository")
        if (not identifier.startswith(f"{self.base}id/collection/")
                or re.search(r"[\s<>\"{}|\\^`]", identifier)):
            raise missing
        rows = self.reader.select(P + "SELECT ?c ?ds ?deleted WHERE { " + self._selection(
            {"a": ["", ""]}, only=identifier) + " }")
        if not rows:
            raise missing
        return self._headers(rows[:1])[0]

    def _earliest(self) -> str:
        rows = self.reader.select(P + "SELECT (MIN(?ds) AS ?min) WHERE { "
                                  + self._selection({"a": ["", ""]}) + " }")
        value = _v(rows[0], "min") if rows else ""
        return utc(value) if value else "1970-01-01T00:00:00Z"

    def _prefix(self, prefix: str) -> str:
        if prefix not in FORMATS:
            raise OaiError("cannotDisseminateFormat", f"metadataPrefix {prefix!r} is not"
                           f" served here ({', '.join(FORMATS)})")
        return prefix

    def sets(self) -> list[tuple[str, str]]:
        """(setSpec, setName) of every set with a collection, and every listed network and
        institution."""
        rows = self.reader.select(P + f"""
            SELECT ?v (SAMPLE(?l) AS ?name) WHERE {{
              {{ ?c a dcmitype:Collection ; rico:hasOrHadHolder|collex:discipline ?v }}
              UNION {{ ?v a collex:ThematicNetwork }} UNION {{ ?v a collex:Institution }}
              OPTIONAL {{ ?v {LABEL} ?l FILTER(LANG(?l) = "" || LANG(?l) = "fr") }} }}
            GROUP BY ?v""")
        prefixes = (("institution", f"{self.base}id/institution/"),
                    ("network", f"{self.base}id/network/"), ("discipline", DISCIPLINES))
        out = {}
        for r in rows:
            value = _v(r, "v")
            for kind, prefix in prefixes:
                spec = f"{kind}:{value.removeprefix(prefix)}"
                if value.startswith(prefix) and _SET.fullmatch(spec):
                    out[spec] = _v(r, "name") or spec
        return sorted(out.items())

    # ------------------------------------------------------------------ records
    def _header_element(self, parent: etree._Element, h: Header) -> etree._Element:
        node = etree.SubElement(parent, f"{{{OAI}}}header")
        if h.deleted:
            node.set("status", "deleted")
        etree.SubElement(node, f"{{{OAI}}}identifier").text = h.identifier
        etree.SubElement(node, f"{{{OAI}}}datestamp").text = h.datestamp
        for spec in h.sets:
            etree.SubElement(node, f"{{{OAI}}}setSpec").text = spec
        return node

    def _records(self, parent: etree._Element, headers: list[Header], prefix: str) -> None:
        live = [h.identifier for h in headers if not h.deleted]
        metadata = self._dc(live) if prefix == "oai_dc" else self._rdf(live)
        for h in headers:
            record = etree.SubElement(parent, f"{{{OAI}}}record")
            self._header_element(record, h)
            if not h.deleted:
                etree.SubElement(record, f"{{{OAI}}}metadata").append(metadata[h.identifier])

    def _facts(self, collections: list[str]) -> dict[str, list[tuple[str, str, str, str]]]:
        """(property, object, object kind, best label) of each collection's statements."""
        values = " ".join(f"<{c}>" for c in collections)
        seen: dict[tuple[str, str, str], tuple[str, dict[str, str]]] = {}
        if values:
            for r in self.reader.select(P + f"""SELECT ?c ?p ?o ?l WHERE {{
                    VALUES ?c {{ {values} }} ?c ?p ?o OPTIONAL {{ ?o {LABEL} ?l }} }}"""):
                term, label = r["o"], r.get("l")
                kind = ("iri" if isinstance(term, ox.NamedNode) else
                        "blank" if isinstance(term, ox.BlankNode) else "literal")
                _, labels = seen.setdefault((_v(r, "c"), _v(r, "p"), str(
                    getattr(term, "value", term))), (kind, {}))
                if isinstance(label, ox.Literal):
                    labels.setdefault(label.language or "", label.value)
        out: dict[str, list[tuple[str, str, str, str]]] = defaultdict(list)
        for (c, p, o), (kind, labels) in seen.items():
            best = labels.get("fr") or labels.get("") or next(iter(labels.values()), "")
            out[c].append((p, o, kind, best))
        return out

    def _dc(self, collections: list[str]) -> dict[str, etree._Element]:
        dcterms, rico, collex = ("http://purl.org/dc/terms/",
                                 "https://www.ica.org/standards/RiC/ontology#",
                                 "https://w3id.org/collex/def#")
        mapping = {f"{dcterms}title": "title", f"{dcterms}creator": "creator",
                   f"{dcterms}subject": "subject", f"{dcterms}spatial": "coverage",
                   f"{dcterms}temporal": "date", f"{dcterms}description": "description",
                   f"{dcterms}abstract": "description", f"{dcterms}identifier": "identifier",
                   f"{dcterms}extent": "format", f"{dcterms}language": "language",
                   f"{dcterms}accessRights": "rights", f"{rico}conditionsOfUse": "rights",
                   f"{rico}hasOrHadHolder": "publisher", f"{dcterms}type": "type",
                   f"{collex}descriptionLevel": "type", f"{collex}digitalObject": "relation"}
        order = ["title", "creator", "subject", "description", "publisher", "date", "type",
                 "format", "identifier", "language", "relation", "coverage", "rights"]
        periods = self._periods(collections)
        out = {}
        for c, items in self._facts(collections).items():
            fields: dict[str, list[str]] = defaultdict(list)
            fields["identifier"].append(c)
            fields["type"].append("Collection")
            for p, o, kind, label in items:
                name = mapping.get(p)
                if name is None:
                    continue
                if name == "date":
                    text = periods.get(o, label)
                elif name == "language" and kind == "iri":
                    text = o.rsplit("/", 1)[-1]
                elif (name == "relation" and kind == "iri") or kind == "literal":
                    text = o
                else:
                    text = label or (o if kind == "iri" else "")
                if text and text not in fields[name]:
                    fields[name].append(text)
            root = etree.Element(f"{{{OAI_DC}}}dc", nsmap={"oai_dc": OAI_DC, "dc": DC,
                                                          "xsi": XSI})
            root.set(f"{{{XSI}}}schemaLocation",
                     f"{OAI_DC} http://www.openarchives.org/OAI/2.0/oai_dc.xsd")
            for name in order:
                for text in fields.get(name, []):
                    etree.SubElement(root, f"{{{DC}}}{name}").text = _xml_text(text)
            out[c] = root
        for c in collections:  # a collection whose statements are gone meanwhile
            out.setdefault(c, etree.Element(f"{{{OAI_DC}}}dc", nsmap={"oai_dc": OAI_DC}))
        return out

    def _periods(self, collections: list[str]) -> dict[str, str]:
        """A readable date for each period node: its label, or start/end."""
        values = " ".join(f"<{c}>" for c in collections)
        out = {}
        if values:
            for r in self.reader.select(P + f"""SELECT ?p (SAMPLE(?l) AS ?label)
                    (MIN(?s) AS ?start) (MAX(?e) AS ?end) WHERE {{ VALUES ?c {{ {values} }}
                    ?c dcterms:temporal ?p OPTIONAL {{ ?p rdfs:label ?l }}
                    OPTIONAL {{ ?p dcat:startDate ?s }} OPTIONAL {{ ?p dcat:endDate ?e }}
                    }} GROUP BY ?p"""):
                start, end = _v(r, "start"), _v(r, "end")
                span = "/".join(x for x in (start, end) if x) if start != end else start
                out[_v(r, "p")] = _v(r, "label") or span
        return out

    def _rdf(self, collections: list[str]) -> dict[str, etree._Element]:
        values = " ".join(f"<{c}>" for c in collections)
        triples: dict[str, list[ox.Triple]] = defaultdict(list)
        if values:
            # three plain joins (one query with a VALUES of label properties in a UNION
            # took minutes at S): the collection's statements, its blank nodes', the labels
            # of what it points to
            objects: dict[str, set[str]] = defaultdict(set)
            for r in self.reader.select(f"SELECT ?c ?p ?o WHERE {{ VALUES ?c {{ {values} }}"
                                        " ?c ?p ?o }"):
                c, o = _v(r, "c"), r["o"]
                triples[c].append(ox.Triple(r["c"], r["p"], o))  # type: ignore[arg-type]
                if isinstance(o, ox.NamedNode) and _v(r, "p") != f"{RDF}type":
                    objects[o.value].add(c)
            for r in self.reader.select(f"SELECT ?c ?s ?p ?o WHERE {{ VALUES ?c {{ {values} }}"
                                        " ?c ?q ?s FILTER(isBLANK(?s)) ?s ?p ?o }"):
                triples[_v(r, "c")].append(ox.Triple(r["s"], r["p"], r["o"]))  # type: ignore[arg-type]
            names = " ".join(f"<{o}>" for o in objects if "<" not in o and ">" not in o)
            if names:
                for r in self.reader.select(P + f"SELECT DISTINCT ?s ?p ?o WHERE {{ VALUES ?s"
                                            f" {{ {names} }} ?s ?p ?o FILTER(?p IN"
                                            " (skos:prefLabel, foaf:name, rdfs:label)) }"):
                    t = ox.Triple(r["s"], r["p"], r["o"])  # type: ignore[arg-type]
                    for c in objects[_v(r, "s")]:
                        triples[c].append(t)
        out = {}
        for c in collections:
            data = ox.serialize(triples.get(c, []), format=ox.RdfFormat.RDF_XML,
                                prefixes={"dcterms": "http://purl.org/dc/terms/",
                                          "rico": "https://www.ica.org/standards/RiC/ontology#",
                                          "collex": "https://w3id.org/collex/def#",
                                          "skos": "http://www.w3.org/2004/02/skos/core#",
                                          "foaf": "http://xmlns.com/foaf/0.1/"}) or b""
            try:
                out[c] = parse_xml(data, c).root
            except XmlRejected:
                out[c] = etree.Element(f"{{{RDF}}}RDF", nsmap={"rdf": RDF})
        return out


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(text: str) -> str:
    """Text XML 1.0 can carry (control characters dropped)."""
    return _CONTROL.sub("", text)


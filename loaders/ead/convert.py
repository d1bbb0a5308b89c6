"""EAD record -> RDF. Pure: the same record and base IRI always give the same graph.

The mapping is documented element by element in ``ontology/ead-mapping.md``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from urllib.parse import urljoin

from rdflib import Literal, URIRef

from loaders import territory
from loaders.authority import AuthorityRef, classify
from loaders.base import Converted
from loaders.dates import normalise
from loaders.ead.parse import AccessPoint, Component, EadRecord, Unit
from loaders.fidelity import Fidelity
from loaders.rdf import RecordGraph, iri_problem, plain, source_record, typed
from loaders.terms import (
    COLLEX,
    DCAT,
    DCMITYPE,
    DCTERMS,
    FOAF,
    IIIF,
    ISO639,
    OWL,
    PROV,
    RDF,
    RDFS,
    RICO,
    RST,
    SKOS,
    XSD,
)
from loaders.text import bcp47, checked_iri, safe_segment, slug

_FA_PREFIX = re.compile(r"^(FRAD(?:\d{3}|0?2[AB])|FRANMT|FRANOM)_")

_LEVELS = {
    "fonds": RST.Fonds, "collection": RST.Collection, "series": RST.Series,
    "subseries": RST.Series, "recordgrp": RST.Collection, "subgrp": RST.Collection,
    "file": RST.File,
}
_KIND_CLASSES = {
    "persname": [FOAF.Person, RICO.Person],
    "corpname": [FOAF.Organization, RICO.CorporateBody],
    "famname": [RICO.Family, FOAF.Group],
    "name": [FOAF.Agent],
    "subject": [SKOS.Concept],
    "genreform": [SKOS.Concept],
    "function": [SKOS.Concept],
    "occupation": [SKOS.Concept],
    "title": [SKOS.Concept],
    "geogname": [DCTERMS.Location, RICO.Place],
}
_LOCAL_PATH = {
    "persname": "agent", "corpname": "agent", "famname": "agent", "name": "agent",
    "geogname": "place",
}
_CONTROLACCESS_PROPERTY = {
    "persname": DCTERMS.subject, "corpname": DCTERMS.subject, "famname": DCTERMS.subject,
    "name": DCTERMS.subject, "subject": DCTERMS.subject, "title": DCTERMS.subject,
    "geogname": DCTERMS.spatial, "genreform": DCTERMS.type,
    "function": COLLEX.function, "occupation": COLLEX.occupation,
}
_NOTE_PROPERTY = {
    "scopecontent": DCTERMS.description,
    "bioghist": RICO.history,
    "custodhist": DCTERMS.provenance,
    "acqinfo": COLLEX.acquisitionInformation,
    "accessrestrict": DCTERMS.accessRights,
    "userestrict": RICO.conditionsOfUse,
    "appraisal": COLLEX.appraisal,
    "arrangement": COLLEX.arrangement,
    "accruals": COLLEX.accruals,
    "separatedmaterial": COLLEX.separatedMaterial,
    "relatedmaterial": COLLEX.relatedMaterial,
    "otherfindaid": COLLEX.otherFindingAid,
    "originalsloc": COLLEX.originalsLocation,
    "altformavail": COLLEX.alternativeForm,
    "bibliography": COLLEX.bibliography,
    "prefercite": COLLEX.preferredCitation,
    "processinfo": COLLEX.processingInformation,
    "odd": COLLEX.note,
    "note": COLLEX.note,
    "phystech": COLLEX.physicalCharacteristics,
    "legalstatus": COLLEX.legalStatus,
    "fileplan": COLLEX.note,
    "materialspec": COLLEX.note,
}
_HEADER_PROPERTY = {
    "author": DCTERMS.creator, "subtitle": COLLEX.subtitle, "sponsor": COLLEX.sponsor,
    "edition": COLLEX.edition, "series": COLLEX.series, "note": COLLEX.note,
    "creation": COLLEX.creationNote, "descrules": COLLEX.descriptionRules,
    "revision": COLLEX.revisionNote, "date": DCTERMS.issued, "address": COLLEX.address,
    "publication": COLLEX.note, "langusage": COLLEX.languageNote,
    "repository-address": COLLEX.holderAddress,
}
_EXTRA_NOTE_PROPERTY = {"unittitle": DCTERMS.alternative, "repository": COLLEX.note}
# Relator codes (UNIMARC, BnF 4-digit) and French terms that mean "creator of the fonds".
_CREATOR_ROLES = {"070", "0070", "auteur", "author", "producteur", "creator", "créateur"}
_FORMER_OWNER_ROLES = {"390", "0390", "ancien possesseur", "former owner", "provenance"}
_ITEM_LEVELS = {"item", "piece", "pièce", "document"}
_AGENT_KINDS = frozenset({"persname", "corpname", "famname", "name"})
MAX_KEY = 150
_XSD_DATE = str(XSD.date)


def local_authority_iri(base: str, identifier: str) -> str:
    """The node of an agent known by an authority record id that has no global IRI.

    >>> local_authority_iri("http://ex.org/", "FRAD033_EAC_00001")
    'http://ex.org/id/agent/auth-FRAD033_EAC_00001'
    """
    return f"{base}id/agent/auth-{safe_segment(identifier, max_len=MAX_KEY)}"


def collection_key(record: EadRecord) -> str:
    """The stable key of a notice: agency code + eadid; else the OAI-PMH identifier of a
    harvested record; else the file name. Bounded in length (a hash suffix when cut).

    >>> from loaders.ead.parse import EadRecord
    >>> collection_key(EadRecord(file="a/b.xml", sha256="", flavour="", eadid="IR 1",
    ...                          agency_code="FR-751052116"))
    'FR-751052116-IR-1'
    """
    if record.eadid:
        key = record.eadid
        agency = record.agency_code
        if agency and agency.removeprefix("FR-") not in key:
            key = f"{agency}-{key}"
        return safe_segment(key, max_len=MAX_KEY)
    if record.oai_identifier:
        return safe_segment(f"oai-{record.oai_identifier}", max_len=MAX_KEY)
    stem = record.file.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return safe_segment(f"file-{stem}", max_len=MAX_KEY)


def component_iri(collection: str, key: str) -> str:
    """The IRI of a component: under its collection's, stable across reloads."""
    return f"{collection}/c/{safe_segment(key, max_len=MAX_KEY)}"


class _Context:
    """What the description of every level shares: graph, base IRI, language, warnings."""

    def __init__(self, record: EadRecord, base: str, g: RecordGraph, lang: str | None,
                 warnings: list[str]) -> None:
        self.record, self.base, self.g, self.lang, self.warnings = (
            record, base, g, lang, warnings)
        self.link_base = checked_iri(record.eadid_url or "")
        self.unresolved: dict[tuple[str, str], list[tuple[str, str]]] = {}

    def lit(self, text: str) -> Literal:
        return plain(text, self.lang)

    def iri(self, href: str, where: str, what: str) -> URIRef | None:
        """An http(s) IRI for a link: relative ones resolved against ``eadid@url``;
        anything else is left out as a link and counted for the report (see ``summary``)."""
        value = href.strip().replace(" ", "%20")
        if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", value):
            if self.link_base is None:
                self.unresolved.setdefault((what, "relative"), []).append((where, href))
                return None
            value = urljoin(self.link_base, value)
        ok = checked_iri(value)
        if ok is None:
            why = "unparseable" if iri_problem(value) else "invalid"
            self.unresolved.setdefault((what, why), []).append((where, href))
        return URIRef(ok) if ok else None

    def summary(self, rejected: list[tuple[str, str]]) -> None:
        """One warning per kind of unusable link, with the count and the first cases; links
        that are not IRIs at all (``http://[::1``) are rejected values: the notice loads
        without them, and the report counts them as rejections."""
        for (what, why), cases in self.unresolved.items():
            shown = "; ".join(f"{where}: {href!r}" for where, href in cases[:3])
            more = f" (and {len(cases) - 3} more)" if len(cases) > 3 else ""
            reason = {"relative": "relative, and no absolute eadid@url to resolve them against",
                      "invalid": "not http(s) IRIs",
                      "unparseable": "not IRIs at all (RFC 3987)"}[why]
            message = (f"{len(cases)} {what} link(s) {reason}: kept as text, not as links"
                       f" — {shown}{more}")
            if why == "unparseable":
                rejected.append((f"{self.record.record_id}: {what} link", message))
            else:
                self.warnings.append(message)


def convert(record: EadRecord, base_iri: str) -> Converted:
    """Build the graph of one notice: the collection and its whole component tree.

    >>> from loaders.ead.parse import parse
    >>> rec = parse(b'<ead><eadheader><eadid>X1</eadid></eadheader><archdesc level="fonds">'
    ...             b'<did><unitid>Ms 1</unitid><unittitle>Fonds Dupont</unittitle>'
    ...             b'<unitdate normal="1850/1900">1850-1900</unitdate></did>'
    ...             b'<dsc><c id="a"><did><unittitle>Lettres</unittitle></did></c></dsc>'
    ...             b'</archdesc></ead>', "x.xml")[0]
    >>> c = convert(rec, "http://example.org/")
    >>> c.collection_iri, len(c.graph) > 5
    ('http://example.org/id/collection/X1', True)
    >>> part = URIRef("http://example.org/id/collection/X1/c/a")
    >>> str(c.graph.value(part, RICO.isOrWasIncludedIn))
    'http://example.org/id/collection/X1'
    """
    key = collection_key(record)
    coll = URIRef(f"{base_iri}id/collection/{key}")
    graph_iri = f"{base_iri}graph/ead/{key}"
    src = URIRef(graph_iri)
    lang = bcp47(record.description_language)
    warnings = list(record.warnings)
    if not record.eadid:
        warnings.append("no eadid: the collection IRI is derived from the "
                        + ("OAI-PMH identifier" if record.oai_identifier else "file name"))
    g = RecordGraph()
    ctx = _Context(record, base_iri, g, lang, warnings)

    # The source record (the finding aid file) this graph comes from.
    source_record(g, src, record.flavour, record.file, record.sha256, record.eadid,
                  record.oai_identifier, record.oai_datestamp)
    if record.finding_aid_title:
        g.add((src, DCTERMS.title, ctx.lit(record.finding_aid_title)))
    if record.publisher:
        g.add((src, DCTERMS.publisher, plain(record.publisher)))
    if record.eadid_url:
        see = ctx.iri(record.eadid_url, "eadid@url", "finding aid")
        if see is not None:
            g.add((src, RDFS.seeAlso, see))
    for note, texts in record.header_notes.items():
        for text in texts:
            g.add((src, _HEADER_PROPERTY[note], ctx.lit(text)))

    # The collection.
    g.add((coll, RDF.type, DCMITYPE.Collection))
    g.add((coll, RDF.type, RICO.RecordSet))
    g.add((coll, PROV.wasDerivedFrom, src))
    if record.title is None and record.finding_aid_title:
        warnings.append("no archdesc/did/unittitle: the title of the finding aid"
                        f" ({record.finding_aid_title!r}) is used")
        record.title = record.finding_aid_title
    if not record.unitids:
        warnings.append("no archdesc/did/unitid: the collection has no shelfmark")
    if record.eadid:
        g.add((coll, COLLEX.findingAidIdentifier, plain(record.eadid)))
    _unit(ctx, coll, record, "archdesc")
    if record.components:
        g.add((coll, COLLEX.componentCount, Literal(len(record.components))))
    for comp in record.components:
        _component(ctx, coll, comp)

    held = _holder(g, coll, record, base_iri, warnings)
    rejected: list[tuple[str, str]] = []
    ctx.summary(rejected)
    if not held and not any(ap.context == "origination" and ap.kind in _AGENT_KINDS
                            for ap in record.access_points):
        warnings.append("neither holder (repository, eadid@mainagencycode) nor provenance"
                        " (origination): the notice does not say where the fonds is")
    return Converted(record.record_id, graph_iri, str(coll), g, warnings, rejected=rejected,
                     own=(str(coll), graph_iri),
                     identity=record.eadid or record.oai_identifier or record.file,
                     fidelity=record.fidelity)


def _component(ctx: _Context, coll: URIRef, comp: Component) -> None:
    """One component of the tree, into ``ctx.g``."""
    g = ctx.g
    node = URIRef(component_iri(coll, comp.key))
    level = (comp.otherlevel if (comp.level or "").lower() == "otherlevel"
             else comp.level) or ""
    g.add((node, RDF.type, RICO.Record if level.lower() in _ITEM_LEVELS else RICO.RecordSet))
    g.add((node, RICO.isOrWasIncludedIn, coll if comp.parent_key is None
           else URIRef(component_iri(coll, comp.parent_key))))
    g.add((node, COLLEX.order, typed(comp.order)))
    _unit(ctx, node, comp, f"component {comp.key}")


class ComponentParts:
    """The component tree of a notice too large to hold, converted a batch at a time as the
    second reading pass gives it: each item is a list of (component key, its graph). Once
    iterated: ``count``, and the ``warnings`` and rejected values met on the way."""

    def __init__(self, record: EadRecord, base_iri: str,
                 batches: Callable[[list[str], Fidelity], Iterator[list[Component]]]) -> None:
        self.record, self.base_iri, self.batches = record, base_iri, batches
        self.count = 0
        self.warnings: list[str] = []
        self.rejected: list[tuple[str, str]] = []
        self.fidelity = Fidelity()

    def __iter__(self) -> Iterator[list[tuple[str, RecordGraph]]]:
        record = self.record
        coll = URIRef(f"{self.base_iri}id/collection/{collection_key(record)}")
        ctx = _Context(record, self.base_iri, RecordGraph(), bcp47(record.description_language),
                       self.warnings)
        for batch in self.batches(self.warnings, self.fidelity):
            out = []
            for comp in batch:
                ctx.g = RecordGraph()
                _component(ctx, coll, comp)
                out.append((comp.key, ctx.g))
            self.count += len(batch)
            yield out
        ctx.summary(self.rejected)


def _unit(ctx: _Context, node: URIRef, u: Unit, where: str) -> None:
    """What one level of description says (the collection or a component)."""
    g, lit = ctx.g, ctx.lit
    level = (u.level or "").lower()
    if level in _LEVELS:
        g.add((node, RICO.hasRecordSetType, _LEVELS[level]))
    if level:
        g.add((node, COLLEX.descriptionLevel, plain(u.otherlevel or level)))
    if u.title:
        g.add((node, DCTERMS.title, lit(u.title)))
    for value, kind in u.unitids:
        if kind and kind.lower().replace("-", "_") in {"ancienne_cote", "ancienne cote", "former"}:
            g.add((node, COLLEX.formerIdentifier, plain(value)))
        else:
            g.add((node, DCTERMS.identifier, plain(value)))
    for n, date in enumerate(u.dates, start=1):
        rng = normalise(date.normal, date.text)
        period = URIRef(f"{node}#period-{n}")
        g.add((node, DCTERMS.temporal, period))
        g.add((period, RDF.type, DCTERMS.PeriodOfTime))
        if date.text:
            g.add((period, RDFS.label, plain(date.text)))
        if date.type:
            g.add((period, COLLEX.dateType, plain(date.type)))
        if rng.problem:
            # Left out, with a warning: the period keeps its label, the notice loads.
            ctx.warnings.append(f"{where}: {'unitdate@normal' if date.normal else 'unitdate'}"
                                f" {date.normal or date.text!r}: {rng.problem}; the date is"
                                " kept as text only")
            if date.normal:
                g.add((period, COLLEX.unparsedNormal, plain(date.normal)))
        elif rng.start and rng.end:
            if rng.note:
                ctx.warnings.append(f"{where}: unitdate {date.text!r}: {rng.note}")
            g.add((period, DCAT.startDate, typed(rng.start, _XSD_DATE)))
            g.add((period, DCAT.endDate, typed(rng.end, _XSD_DATE)))
            g.add((period, COLLEX.startYear, typed(int(rng.start[:4]))))
            g.add((period, COLLEX.endYear, typed(int(rng.end[:4]))))
    for text in u.extents:
        g.add((node, DCTERMS.extent, lit(text)))
    for text in u.physfacets:
        g.add((node, COLLEX.physicalCharacteristics, lit(text)))
    for text in u.dimensions:
        g.add((node, COLLEX.dimensions, plain(text)))
    for code, label in u.languages:
        if code and re.match(r"^[a-z]{3}$", code.lower()):
            g.add((node, DCTERMS.language, ISO639[code.lower()]))
        elif label:
            g.add((node, DCTERMS.language, plain(label)))
    for text in u.abstract:
        g.add((node, DCTERMS.abstract, lit(text)))
    for text in u.physloc:
        g.add((node, COLLEX.physicalLocation, lit(text)))
    for text in u.containers:
        g.add((node, COLLEX.container, plain(text)))
    for tag, texts in u.notes.items():
        prop = _NOTE_PROPERTY.get(tag) or _EXTRA_NOTE_PROPERTY[tag]
        for text in texts:
            g.add((node, prop, lit(text)))
    for href in u.links:
        link = ctx.iri(href, where, "reference")
        g.add((node, RDFS.seeAlso, link) if link is not None
              else (node, COLLEX.linkText, plain(href)))
    for ap in u.access_points:
        _access_point(g, node, ap, ctx.base, ctx.lang, ctx.warnings)
    for dao in u.digital_objects:
        obj = ctx.iri(dao.href, where, "digital object")
        if obj is None:  # a path on the producer's image server, a count...: kept as text
            text = f"{dao.role}: {dao.href}" if dao.role else dao.href
            g.add((node, COLLEX.digitalObjectText, plain(text)))
            continue
        role = (dao.role or "").lower()
        if "iiif" in role or "manifest" in role or str(obj).endswith(
                ("/manifest", "manifest.json")):
            g.add((node, COLLEX.iiifManifest, obj))
            g.add((obj, RDF.type, IIIF.Manifest))
        else:
            g.add((node, COLLEX.digitalObject, obj))
            g.add((obj, RDF.type, FOAF.Document))
        if dao.title:
            g.add((obj, RDFS.label, lit(dao.title)))


def _holder(g: RecordGraph, coll: URIRef, r: EadRecord, base: str, warnings: list[str]
            ) -> bool:
    """rico:hasOrHadHolder from <repository>, else the header's agency code, else publisher.
    False when the notice names no holder."""
    repo = r.repository
    ref: AuthorityRef | None = None
    if repo and repo.code:
        ref = classify(repo.code, repo.source, repository=True)
        if ref and ref.problem:
            warnings.append(f"repository: {ref.problem}")
            ref = None
    if ref is None and r.agency_code:
        ref = classify(r.agency_code, None, repository=True)
        if ref and ref.system not in {"rcr", "isil"}:
            ref = None
    label = (repo.label if repo and repo.label else None) or r.agency_name or r.publisher
    isil = ""
    if ref is not None and ref.system in {"rcr", "isil"} and not ref.problem:
        isil = f"FR-{ref.identifier}" if ref.system == "rcr" else ref.identifier
        inst = URIRef(f"{base}id/institution/{safe_segment(isil)}")
        g.add((inst, DCTERMS.identifier, plain(isil)))
        g.add((inst, COLLEX.isil, plain(isil)))
        if ref.system == "rcr":
            g.add((inst, COLLEX.rcr, plain(ref.identifier)))
    elif label:
        inst = URIRef(f"{base}id/institution/local-{slug(label)}")
    else:
        return False
    g.add((inst, RDF.type, COLLEX.Institution))
    if label:
        g.add((inst, FOAF.name, plain(label)))
    g.add((coll, RICO.hasOrHadHolder, inst))
    # where the holder is: its RCR/ISIL, else the FranceArchives service code of the header
    # (agency code, or the eadid's prefix: FRAD085_6Fi is the Vendée's departmental archives)
    codes = [isil] if isil else []
    codes += [r.agency_code or "", *_FA_PREFIX.findall(r.eadid or "")]
    if place := territory.locate(codes=tuple(codes)):
        for t in territory.place_triples(inst, place):
            g.add(t)
    return True


def _access_point(
    g: RecordGraph, coll: URIRef, ap: AccessPoint, base: str, lang: str | None, warnings: list[str]
) -> None:
    ref = classify(ap.authfilenumber, ap.source)
    if ref and ref.problem:
        warnings.append(f"{ap.kind} {ap.label!r}: {ref.problem}; kept as a local name")
    if ref and ref.iri:
        node = URIRef(ref.iri)
    elif ref and not ref.problem and ap.kind in _AGENT_KINDS:
        # An authority record of no global file (e.g. an archives' own EAC-CPF record):
        # the same node as the EAC-CPF loader's for that record id (see loaders/eac).
        node = URIRef(local_authority_iri(base, ref.identifier))
    elif ref and not ref.problem:
        node = URIRef(f"{base}id/{_local_path(ap.kind)}/{slug(ref.system)}-"
                      f"{safe_segment(ref.identifier, max_len=MAX_KEY)}")
    else:
        node = URIRef(f"{base}id/{_local_path(ap.kind)}/{slug(ap.label)}")
    for cls in _KIND_CLASSES.get(ap.kind, [SKOS.Concept]):
        g.add((node, RDF.type, cls))
    label = plain(ap.label, lang)
    g.add((node, RDFS.label, label))
    if ap.kind in {"subject", "genreform", "function", "occupation", "title", "geogname"}:
        g.add((node, SKOS.prefLabel, label))
    else:
        g.add((node, FOAF.name, label))
    if ap.normal:
        g.add((node, COLLEX.authorisedForm, plain(ap.normal)))
    if ref and ref.problem:
        g.add((node, COLLEX.invalidAuthorityIdentifier, plain(ref.identifier)))
    elif ref:
        g.add((node, DCTERMS.identifier, plain(ref.identifier)))
        g.add((node, COLLEX.authoritySystem, plain(ref.system)))
        if ref.system == "bnf" and ref.iri:
            g.add((node, OWL.sameAs, URIRef(f"https://catalogue.bnf.fr/{ref.identifier}")))
    role = (ap.role or "").strip().lower()
    is_agent = ap.kind in _AGENT_KINDS
    if ap.context == "origination" and is_agent:
        g.add((coll, DCTERMS.creator, node))
        g.add((coll, RICO.hasOrganicProvenance, node))
    else:
        g.add((coll, _CONTROLACCESS_PROPERTY.get(ap.kind, DCTERMS.subject), node))
        if is_agent and role in _CREATOR_ROLES:
            g.add((coll, DCTERMS.creator, node))
        if is_agent and role in _FORMER_OWNER_ROLES:
            g.add((coll, COLLEX.formerOwner, node))
    if ap.role:
        g.add((node, COLLEX.roleNote, plain(ap.role)))


def _local_path(kind: str) -> str:
    return _LOCAL_PATH.get(kind, f"concept/{kind}")

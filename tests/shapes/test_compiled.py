"""The compiled SHACL checks against pyshacl, the reference: same violations, same texts.

Two families of data: every sample and fixture record, converted and then damaged by seeded
mutations aimed at each constraint of our shapes; and a shapes graph of its own exercising the
components our shapes do not use yet (so a future shape cannot silently change meaning).
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, SH, SKOS, XSD

from loaders.base import FORMATS, Converted, RecordRejected
from loaders.pipeline import _compiled, violations
from ontology import COLLEX, RICO
from shapes.compiled import CompiledShapes, Unsupported
from tests.conftest import FIXTURES, SAMPLE

Triple = tuple[object, object, object]


def _records() -> list[Converted]:
    out: list[Converted] = []
    files = [p for p in sorted((SAMPLE / "ead").glob("*.xml"))] + [
        p for p in sorted((SAMPLE / "idref").glob("*")) if p.suffix in (".xml", ".rdf")] + [
        p for p in sorted(FIXTURES.rglob("*")) if p.suffix in (".xml", ".rdf", ".mrc")]
    for path in files:
        data = path.read_bytes()
        fmt = next((f for f in FORMATS.values() if f.sniff(data[:8192])), None)
        if fmt is None:
            continue
        try:
            records = fmt.parse(data, path.name)
        except Exception:
            continue
        for record in records:
            try:
                conv = fmt.convert(record, "http://example.org/")
            except RecordRejected:
                continue
            if not conv.deleted:
                out.append(conv)
    return out


def _mutations(triples: list[Triple], rng: random.Random) -> list[Triple]:
    """One damaged copy of a record's triples, aimed at a constraint of our shapes."""
    t = list(triples)
    subjects = sorted({s for s, _, _ in t if isinstance(s, URIRef)}, key=str)
    s = rng.choice(subjects)
    kind = rng.randrange(12)
    if kind == 0:  # drop every triple of one predicate of a subject
        preds = sorted({p for x, p, _ in t if x == s}, key=str)
        p = rng.choice(preds)
        t = [x for x in t if not (x[0] == s and x[1] == p)]
    elif kind == 1:
        t.append((s, DCTERMS.title, Literal("")))
    elif kind == 2:
        t.append((s, COLLEX.componentCount, Literal("douze")))
    elif kind == 3:
        period = BNode() if rng.random() < 0.5 else URIRef(f"{s}#p")
        # (pyshacl itself raises TypeError comparing an ill-typed date with any other date,
        # so an ill-typed start date comes alone; the compiled checks report a violation.)
        t += [(s, DCTERMS.temporal, period)]
        if rng.random() < 0.3:
            t.append((period, DCAT.startDate, Literal("1997-13-45", datatype=XSD.date)))
        else:
            t += [(period, DCAT.startDate, Literal("1900-01-01", datatype=XSD.date)),
                  (period, DCAT.endDate, Literal(rng.choice(["1800-01-01", "2100-01-01"]),
                                                datatype=XSD.date))]
            if rng.random() < 0.5:
                t.append((period, DCAT.endDate, Literal("1990", datatype=XSD.gYear)))
    elif kind == 4:
        t.append((s, RDF.type, FOAF.Person))
        t.append((s, FOAF.name, Literal(rng.choice(["", "Nom"]))))
    elif kind == 5:
        t.append((URIRef("https://www.idref.fr/12345678X"), RDF.type, SKOS.Concept))
    elif kind == 6:
        t.append((s, RDF.type, COLLEX.Institution))
        t.append((s, COLLEX.isil, Literal(rng.choice(["FR-751052116", "X1", "FR_bad"]))))
        t.append((s, COLLEX.rcr, Literal(rng.choice(["751052116", "12"]))))
    elif kind == 7:
        t.append((s, RDF.type, SKOS.Concept))
        t.append((s, SKOS.broader, Literal("pas une IRI")))
    elif kind == 8:
        t.append((s, RICO.hasOrHadHolder, URIRef("http://example.org/nowhere")))
        t.append((s, RDF.type, URIRef("http://purl.org/dc/dcmitype/Collection")))
    elif kind == 9:
        t.append((s, DCTERMS.title, Literal("Titre", lang="fr")))
        t.append((s, DCTERMS.title, Literal("12", datatype=XSD.integer)))
    elif kind == 10:
        t = [x for x in t if x[1] != RDF.type or x[0] != s]
        t.append((s, RDF.type, RICO.Family))
        t.append((s, RDFS.label, URIRef("http://example.org/iri-as-name")))
    else:
        t.append((s, COLLEX.isil, Literal("FR-1")))
        t.append((s, COLLEX.isil, Literal("FR-2")))
        t.append((s, RDF.type, COLLEX.Institution))
    return t


def _both(triples: list[Triple]) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    ours = sorted((str(f), m) for f, m in violations(triples, "compiled"))  # type: ignore[arg-type]
    ref = sorted((str(f), m) for f, m in violations(triples, "pyshacl"))  # type: ignore[arg-type]
    return ours, ref


def test_our_shapes_compile_without_falling_back_to_pyshacl() -> None:
    assert _compiled() is not None


def test_valid_records_give_no_violation_with_either_engine() -> None:
    records = _records()
    assert len(records) > 30
    triples: list[Triple] = [t for r in records for t in r.graph]
    ours, ref = _both(triples)
    assert ours == ref


def test_damaged_records_give_the_same_violations_as_pyshacl() -> None:
    rng = random.Random(2026)
    records = _records()
    found = 0
    for n in range(160):
        rec = records[n % len(records)]
        damaged = _mutations(list(rec.graph), rng)
        ours, ref = _both(damaged)
        assert ours == ref, f"mutation {n} of {rec.record_id}"
        found += bool(ref)
    assert found > 80  # the mutations do hit the constraints


COMPONENTS = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ex: <http://example.org/> .
ex:S a sh:NodeShape ; sh:targetClass ex:Thing ;
  sh:property [ sh:path ex:colour ; sh:in ( "red" "green" ) ; sh:message "in" ] ,
    [ sh:path ex:kind ; sh:hasValue ex:Good ; sh:message "hasValue" ] ,
    [ sh:path ex:label ; sh:languageIn ( "fr" "en" ) ; sh:uniqueLang true ; sh:message "lang" ] ,
    [ sh:path ex:start ; sh:lessThan ex:end ; sh:message "lessThan" ] ,
    [ sh:path ex:a ; sh:equals ex:b ; sh:message "equals" ] ,
    [ sh:path ex:a ; sh:disjoint ex:c ; sh:message "disjoint" ] ,
    [ sh:path [ sh:inversePath ex:owns ] ; sh:maxCount 1 ; sh:message "inverse" ] ,
    [ sh:path ex:part ; sh:node ex:Part ; sh:message "node" ] ,
    [ sh:path ex:part ; sh:class ex:Base ; sh:message "class" ] ,
    [ sh:path ex:code ; sh:pattern "^ab" ; sh:flags "i" ; sh:maxLength 4 ; sh:message "pat" ] ,
    [ sh:path ex:n ; sh:xone ( [ sh:datatype xsd:integer ] [ sh:datatype xsd:decimal ] ) ;
      sh:message "xone" ] ,
    [ sh:path ex:n ; sh:not [ sh:in ( 13 ) ] ; sh:message "not" ] ,
    [ sh:path ex:warn ; sh:maxCount 0 ; sh:severity sh:Warning ; sh:message "warning" ] .
ex:Part a sh:NodeShape ; sh:nodeKind sh:IRI ; sh:and ( [ sh:path ex:w ; sh:minCount 1 ] ) .
ex:T a sh:NodeShape ; sh:targetNode ex:lonely ; sh:targetSubjectsOf ex:mark ;
  sh:property [ sh:path ex:w ; sh:minCount 1 ; sh:message "targets" ] .
"""

DATA = """
@prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:Sub rdfs:subClassOf ex:Base . ex:SubThing rdfs:subClassOf ex:Thing .
ex:p1 a ex:Sub ; ex:w 1 . ex:p2 a ex:Other . _:b ex:w 2 .
ex:x1 a ex:Thing ; ex:colour "red" , "blue" ; ex:kind ex:Bad ; ex:label "a"@fr , "b"@fr , "c"@de ;
  ex:start 5 ; ex:end 3 , 9 ; ex:a ex:v1 ; ex:b ex:v2 ; ex:c ex:v1 ; ex:part ex:p1 , ex:p2 , _:b ;
  ex:code "ABcd" , "zzzzz" , 7 ; ex:n 1 , 2.5 , 13 , "x" ; ex:warn 1 .
ex:o1 ex:owns ex:x1 . ex:o2 ex:owns ex:x1 .
ex:x2 a ex:SubThing ; ex:kind ex:Good ; ex:start "2000-01-01"^^xsd:date ;
  ex:end "1999-01-01"^^xsd:date , "later" ; ex:a ex:v ; ex:b ex:v .
ex:y ex:mark 1 .
"""


def _report(results: Graph) -> list[tuple[str, str, str, str]]:
    out = []
    details = set(results.objects(None, SH.detail))
    for r in results.subjects(RDF.type, SH.ValidationResult):
        if r in details or results.value(r, SH.resultSeverity) != SH.Violation:
            continue
        path = results.value(r, SH.resultPath)
        out.append((str(results.value(r, SH.focusNode)), str(results.value(r, SH.resultMessage)),
                    str(path) if isinstance(path, URIRef) else "",
                    str(results.value(r, SH.value) or "")))
    return sorted(out)


def test_other_components_match_pyshacl() -> None:
    shapes = Graph().parse(data=COMPONENTS, format="turtle")
    data = Graph().parse(data=DATA, format="turtle")
    _, results, _ = validate(data, shacl_graph=shapes, inference="none", allow_warnings=True)
    ref = [r for r in _report(results) if not r[0].startswith("n")]  # blank focus nodes aside
    compiled = CompiledShapes(shapes)
    ours = sorted((str(r.focus), r.message, str(r.path) if isinstance(r.path, URIRef) else "",
                   str(r.value) if r.value is not None else "")
                  for r in compiled.validate(list(data)) if r.severity == SH.Violation)
    ours = [r for r in ours if not r[0].startswith("n")]
    assert {m for _, m, _, _ in ref} >= {"in", "hasValue", "lang", "lessThan", "equals",
                                         "disjoint", "inverse", "node", "class", "pat", "xone",
                                         "not", "targets"}
    assert ours == ref


@pytest.mark.parametrize("feature", [
    "sh:closed true", "sh:sparql [ sh:select \"SELECT $this WHERE {}\" ]",
    "sh:property [ sh:path ( ex:a ex:b ) ; sh:minCount 1 ]",
    "sh:property [ sh:path ex:a ; sh:qualifiedValueShape [ sh:class ex:A ] ;"
    " sh:qualifiedMinCount 1 ]",
])
def test_features_outside_the_subset_are_refused_at_compile_time(feature: str) -> None:
    ttl = ("@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .\n"
           f"ex:S a sh:NodeShape ; sh:targetClass ex:A ; {feature} .")
    with pytest.raises(Unsupported):
        CompiledShapes(Graph().parse(data=ttl, format="turtle"))


def test_pipeline_falls_back_to_pyshacl_setting(tmp_path: Path) -> None:
    from collex.settings import Settings
    from graph.embedded import open_write
    from loaders.pipeline import Pipeline

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "x.xml").write_text(
        '<ead><eadheader><eadid>x</eadid></eadheader><archdesc level="fonds"><did>'
        '<unitid>MS 1</unitid><unitdate normal="1997-13-45">d</unitdate>'
        '<repository><corpname>Bib</corpname></repository></did></archdesc></ead>',
        encoding="utf-8")
    reports = {}
    for engine in ("compiled", "pyshacl"):
        settings = Settings(store_dir=tmp_path / engine, shacl_engine=engine)
        store = open_write(settings.store_dir)
        reports[engine] = Pipeline(settings, derive=False).run([tmp_path / "in"], store)
    assert reports["compiled"].rejected == reports["pyshacl"].rejected
    reasons = " ".join(r.message for r in reports["compiled"].rejected)
    assert "missing title" in reasons
    # an invalid @normal is left out with a warning (the notice would load with a title)
    assert "date does not parse" not in reasons

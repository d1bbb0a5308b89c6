"""`collex enrich idref`: fetch the IdRef records that loaded collections cite but the store
lacks, and load them through the same pipeline."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from collex.errors import InvalidInput
from collex.settings import Settings
from graph.base import WriteStore
from loaders.idref.client import IdRefClient, fetch_sparql
from loaders.pipeline import Pipeline
from loaders.report import LoadReport

_PPN_IRI = re.compile(r"^http://www\.idref\.fr/(\d{8}[\dX])/id$")


@dataclass
class EnrichReport:
    wanted: list[str] = field(default_factory=list)
    fetched: list[str] = field(default_factory=list)
    from_cache: int = 0
    http_requests: int = 0
    unknown: list[str] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)
    loads: list[LoadReport] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 1 if self.errors or any(r.exit_code for r in self.loads) else 0

    def summary(self) -> str:
        loaded = sum(r.loaded for r in self.loads)
        lines = [f"{len(self.wanted)} PPN(s) cited and missing; {len(self.fetched)} fetched"
                 f" ({self.from_cache} from the cache, {self.http_requests} HTTP request(s)),"
                 f" {loaded} loaded, {len(self.unknown)} unknown to IdRef,"
                 f" {len(self.errors)} error(s)"]
        lines += [f"  unknown  {p}" for p in self.unknown]
        lines += [f"  ERROR    {p}: {m}" for p, m in sorted(self.errors.items())]
        for r in self.loads:
            lines += [f"  REJECTED {i.file} [{i.record}]: {i.message}" for i in r.rejected]
        return "\n".join(lines)


def missing_ppns(store: WriteStore, base_iri: str, *, broader: bool) -> list[str]:
    """PPNs cited by collections (and, with ``broader``, by loaded IdRef concepts as broader
    terms) that have no IdRef record in the store."""
    cited = ("?c a <http://purl.org/dc/dcmitype/Collection> ; ?p ?e ." if not broader else
             "{ ?c a <http://purl.org/dc/dcmitype/Collection> ; ?p ?e . } UNION "
             "{ ?x <http://www.w3.org/2004/02/skos/core#broader> ?e . }")
    rows = store.select(f"""
        SELECT DISTINCT ?e WHERE {{
          {cited}
          FILTER(isIRI(?e) && STRSTARTS(STR(?e), "http://www.idref.fr/"))
          FILTER NOT EXISTS {{ GRAPH ?g {{ ?e a ?t }}
                               FILTER(STRSTARTS(STR(?g), "{base_iri}graph/idref/")) }}
          FILTER NOT EXISTS {{ ?e <http://purl.org/dc/terms/isReplacedBy> ?survivor }}
        }}""")
    out = []
    for row in rows:
        m = _PPN_IRI.match(str(getattr(row["e"], "value", "")))
        if m:
            out.append(m.group(1))
    return sorted(out)


def enrich(settings: Settings, store: WriteStore, *, sparql: str | None = None,
           broader: bool = False, log: Callable[[str], None] = lambda m: None) -> EnrichReport:
    """Fetch and load missing IdRef records (several rounds when following broader terms)."""
    report = EnrichReport()
    try:
        client = IdRefClient(settings.idref_base_url, settings.idref_cache_dir,
                             rate=settings.idref_rate_limit, timeout=settings.idref_timeout,
                             retries=settings.idref_retries,
                             allowed_hosts=settings.idref_allowed_hosts)
    except ValueError:
        raise InvalidInput(f"COLLEX_IDREF_BASE_URL {settings.idref_base_url!r} is not an"
                           " http(s) URL on a host of COLLEX_IDREF_ALLOWED_HOSTS") from None
    if sparql is not None and not client.allowed(sparql):
        raise InvalidInput(f"--sparql {sparql!r} is not an http(s) URL on a host of"
                           " COLLEX_IDREF_ALLOWED_HOSTS: nothing was fetched")
    tried: set[str] = set()
    for _ in range(5 if broader else 1):
        wanted = [p for p in missing_ppns(store, settings.base_iri, broader=broader)
                  if p not in tried]
        if not wanted:
            break
        tried.update(wanted)
        report.wanted += wanted
        with tempfile.TemporaryDirectory(prefix="collex-idref-") as tmp:
            folder = Path(tmp)
            if sparql:
                try:
                    found = fetch_sparql(sparql, wanted, timeout=settings.idref_timeout)
                except Exception as exc:  # the endpoint's failure, whatever its form
                    for ppn in wanted:
                        report.errors[ppn] = f"{sparql}: {type(exc).__name__}: {exc}"[:300]
                    continue
                for ppn in wanted:
                    if ppn in found:
                        (folder / f"{ppn}.rdf").write_text(found[ppn], encoding="utf-8")
                        report.fetched.append(ppn)
                    else:
                        report.unknown.append(ppn)
            else:
                for ppn in wanted:
                    result = client.fetch(ppn)
                    log(f"{ppn}: {result.status}{' (cache)' if result.from_cache else ''}")
                    if result.status == "ok" and result.data is not None:
                        (folder / f"{ppn}.xml").write_bytes(result.data)
                        report.fetched.append(ppn)
                        report.from_cache += result.from_cache
                    elif result.status == "unknown":
                        report.unknown.append(ppn)
                    else:
                        report.errors[ppn] = result.message
            if any(folder.iterdir()):
                report.loads.append(Pipeline(settings, log).run([folder], store, fmt="idref",
                                                                progress=False))
    report.http_requests = client.http_requests
    return report

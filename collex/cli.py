"""The ``collex`` command. Subcommands are thin wrappers over plain functions.

Exit codes: 0 everything loaded (or the command succeeded), 1 some records were rejected,
2 usage or runtime error. Errors are printed as one line, never as a stack trace.
"""

from __future__ import annotations

import argparse
import errno
import json
import logging
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError
from pydantic_settings import SettingsError

from collex import __version__
from collex.errors import CollexError
from collex.settings import Settings

if TYPE_CHECKING:
    from loaders.harvest.state import HarvestState

EXIT_OK, EXIT_REJECTED, EXIT_ERROR = 0, 1, 2


def _err(message: str) -> None:
    print(f"collex: error: {message}", file=sys.stderr)


def _writable(target: str | None) -> None:
    """Refuse, before any work, an output file that could not be written afterwards."""
    if target is None:
        return
    parent = Path(target).parent
    if not parent.is_dir():
        raise CollexError(f"cannot write {target}: no folder {parent}")
    if not os.access(parent, os.W_OK) or Path(target).is_dir():
        raise CollexError(f"cannot write {target}: permission denied or a folder")


def _inputs(raw: list[str]) -> list[Path]:
    """The paths to read. A path that does not exist is refused in the report (the others
    load); none existing, or nothing to read in the folders named, is a usage error."""
    from loaders.base import FORMATS
    from loaders.pipeline import display_name as _shown
    from loaders.pipeline import expand_paths

    paths = [Path(p) for p in raw]
    if not any(os.path.lexists(p) for p in paths):
        raise CollexError(f"no such file or folder: {', '.join(map(_shown, paths))}")
    if not expand_paths(paths):
        known = sorted({ext for fmt in FORMATS.values() for ext in fmt.extensions})
        raise CollexError(f"nothing to read in {', '.join(map(_shown, paths))}: no file with"
                          f" an extension the loaders read ({' '.join(known)})")
    return paths


def _existing_store(settings: Settings) -> None:
    """Commands that read or change loaded data refuse a store that is not there, rather
    than create an empty one and report success (a mistyped COLLEX_STORE_DIR)."""
    if settings.store != "embedded":
        return
    folder = settings.store_dir
    if folder.with_name(f"{folder.name}.previous").is_dir():
        return  # a restore stopped between its renames: opening the store finishes it
    if not folder.is_dir() or not any(folder.iterdir()):
        raise CollexError(f"no store at {folder} (COLLEX_STORE_DIR): load data first"
                          " (collex load), restore a dump (collex restore), or fix the"
                          " setting")


def cmd_load(args: argparse.Namespace, settings: Settings) -> int:
    from graph import open_store_write
    from loaders.pipeline import Pipeline

    paths = _inputs(args.paths)
    _writable(args.report)
    store = open_store_write(settings) if args.command == "load" else None
    report = Pipeline(settings, log=lambda m: print(m, file=sys.stderr),
                      derive=not getattr(args, "no_derive", False)).run(paths, store,
                                                                         fmt=args.format)
    if args.report:
        report.write_json(Path(args.report))
    print(report.summary(), file=sys.stderr)
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    return report.exit_code


def cmd_fidelity(args: argparse.Namespace, settings: Settings) -> int:
    from loaders.pipeline import Pipeline

    report = Pipeline(settings).run(_inputs(args.paths), None, progress=False)
    if args.json:
        print(json.dumps({file: f.to_dict() for file, f in report.fidelity.items()},
                         ensure_ascii=False, indent=2))
        return EXIT_OK
    width = max((len(f) for f in report.fidelity), default=4)
    print(f"{'file':<{width}}  {'seen':>8}  {'mapped':>8}  {'not mapped':>10}")
    for file, f in report.fidelity.items():
        print(f"{file:<{width}}  {f.seen:>8}  {f.mapped:>8}  {f.seen - f.mapped:>10}")
        for path, n in sorted(f.unmapped.items(), key=lambda kv: (-kv[1], kv[0])):
            print(f"    {n:>8}  {path}")
    total = report.fidelity_total()
    print(f"{'total':<{width}}  {total.seen:>8}  {total.mapped:>8}"
          f"  {total.seen - total.mapped:>10}")
    read = {issue.file for issue in report.rejected if issue.record is None}
    for file in sorted(read):
        print(f"not read: {file}", file=sys.stderr)
    return EXIT_OK


def cmd_stats(args: argparse.Namespace, settings: Settings) -> int:
    from graph import open_store_fresh

    _existing_store(settings)
    stats = open_store_fresh(settings).stats()
    if args.json:
        print(json.dumps({"triples": stats.triples, "graphs": stats.triples_per_graph,
                          "classes": stats.resources_per_class}, indent=2))
        return EXIT_OK
    print(f"{stats.triples} triples in {len(stats.triples_per_graph)} named graph(s)")
    print("\nResources per class:")
    for cls, n in sorted(stats.resources_per_class.items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"  {n:>8}  {cls}")
    print("\nTriples per graph:")
    for g, n in stats.triples_per_graph.items():
        print(f"  {n:>8}  {g}")
    return EXIT_OK


def cmd_query(args: argparse.Namespace, settings: Settings) -> int:
    from graph import open_store_fresh
    from graph.base import QueryRequest
    from graph.results import GRAPH_MEDIA, SOLUTION_MEDIA
    from ontology import PREFIXES

    _existing_store(settings)
    text = args.sparql
    if text == "-":
        text = sys.stdin.read()
    elif text.startswith("@"):
        text = Path(text[1:]).read_text(encoding="utf-8")
    if _UPDATE.match(_PROLOGUE.sub("", text)):
        raise CollexError("collex query runs queries (SELECT, ASK, CONSTRUCT, DESCRIBE), not"
                          " updates: change the data with collex load (or POST the update to"
                          " the server's /sparql with the admin token)")
    declared = "".join(
        f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items()
        if re.search(rf"\b{p}:", text) and not re.search(rf"PREFIX\s+{p}:", text, re.I)
    )
    fmt = args.format
    request = QueryRequest(
        declared + text,
        solutions_format=fmt if fmt in SOLUTION_MEDIA else None if fmt else "csv",
        graph_format=fmt if fmt in GRAPH_MEDIA else None if fmt else "turtle",
    )
    answer = open_store_fresh(settings).run(request)
    sys.stdout.buffer.write(answer.body)
    if not answer.body.endswith(b"\n"):
        sys.stdout.buffer.write(b"\n")
    return EXIT_OK


_PROLOGUE = re.compile(r"^(?:\s+|#[^\n]*\n?|(?i:PREFIX)\s+[\w.-]*:\s*<[^>]*>|(?i:BASE)\s*<[^>]*>)*")
_UPDATE = re.compile(r"(?i)(?:INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b")


def cmd_dump(args: argparse.Namespace, settings: Settings) -> int:
    from graph import open_store_fresh

    _existing_store(settings)
    n = open_store_fresh(settings).dump(Path(args.file))
    print(f"{n} quads written to {args.file}", file=sys.stderr)
    return EXIT_OK


def cmd_publish(args: argparse.Namespace, settings: Settings) -> int:
    from api.dumps import Dumps, dumps_dir
    from graph import open_store_fresh

    _existing_store(settings)
    dumps = Dumps(dumps_dir(settings), settings.base_iri)
    made = dumps.make(open_store_fresh(settings), 0)
    for f in made.files:
        print(f"{dumps.directory / made.state / f.name}: {f.size} bytes, sha256 {f.sha256}")
    print(f"{made.quads} quads, {made.collections} collections ({made.state})",
          file=sys.stderr)
    return EXIT_OK


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    import time

    from api.datasets import export
    from graph import open_store_fresh
    from loaders.derived.state import data_version

    _existing_store(settings)
    target = Path(args.directory)
    if target.exists() and not target.is_dir():
        _err(f"{target} is a file, not a folder")
        return EXIT_ERROR
    if target.is_dir() and any(target.iterdir()) and not (target / "datapackage.json").exists():
        _err(f"{target} is not empty and holds no export (datapackage.json): choose a new or"
             " empty folder")
        return EXIT_ERROR
    started = time.monotonic()
    reader = open_store_fresh(settings)
    made = export(reader, settings.base_iri, target,
                  version=data_version(reader, settings.base_iri) or "")
    for name, size in made.files:
        print(f"{made.folder / name}: {size} bytes")
    print(", ".join(f"{table} {n}" for table, n in made.rows.items())
          + f" rows in {time.monotonic() - started:.1f} s", file=sys.stderr)
    return EXIT_OK


def cmd_restore(args: argparse.Namespace, settings: Settings) -> int:
    from graph import open_store_write
    from loaders.derived.state import ensure

    store = open_store_write(settings)
    n = store.restore(Path(args.file))
    done = ensure(store, settings)
    print(f"store replaced by {args.file}: {n} quads"
          + (f"; rebuilt for it: {', '.join(done)}" if done else ""), file=sys.stderr)
    return EXIT_OK


def cmd_backup(args: argparse.Namespace, settings: Settings) -> int:
    from collex.errors import StoreUnavailable
    from graph import open_store_write
    from graph.embedded import backup_from_checkpoint

    _existing_store(settings)
    try:
        store = open_store_write(settings)
    except StoreUnavailable:  # `collex serve` holds it: copy its newest consistent checkpoint
        quads = backup_from_checkpoint(settings.store_dir, Path(args.directory))
        print(f"backup written to {args.directory} from the running server's newest"
              f" checkpoint: {quads} quads", file=sys.stderr)
        return EXIT_OK
    store.backup(Path(args.directory))
    print(f"backup written to {args.directory}", file=sys.stderr)
    return EXIT_OK


def cmd_enrich(args: argparse.Namespace, settings: Settings) -> int:
    from graph import open_store_write
    from loaders.idref.enrich import enrich

    _existing_store(settings)
    store = open_store_write(settings)
    report = enrich(settings, store, sparql=args.sparql, broader=args.with_broader,
                    log=lambda m: print(m, file=sys.stderr) if args.verbose else None)
    print(report.summary(), file=sys.stderr)
    return report.exit_code


def cmd_link_report(args: argparse.Namespace, settings: Settings) -> int:
    from graph import open_store_write
    from loaders.idref.link import link_report

    _existing_store(settings)
    _writable(args.candidates)
    report = link_report(settings, open_store_write(settings),
                         candidates_csv=Path(args.candidates) if args.candidates else None)
    if args.json:  # stdout holds the JSON alone
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(report.summary())
    return EXIT_OK


def cmd_suggest(args: argparse.Namespace, settings: Settings) -> int:
    from graph import open_store_fresh
    from loaders.derived.suggest import suggest_members

    _existing_store(settings)
    name, suggestions = suggest_members(open_store_fresh(settings), settings.base_iri,
                                        args.network, limit=args.limit)
    if args.json:
        print(json.dumps({"network": name, "suggestions": [s.__dict__ for s in suggestions]},
                         ensure_ascii=False, indent=2))
        return EXIT_OK
    print(f"Suggestions for the network « {name} » (collections related to its members):")
    if not suggestions:
        print("  none: no collection outside the network is related to its members")
    for s in suggestions:
        print(f"\n{s.score:>7.2f}  {s.title or s.collection}  [{s.holder}]")
        print(f"         {s.collection}")
        for member, score, why in s.reasons:
            print(f"         related to {member} ({score:.2f}): {why}")
    return EXIT_OK


def cmd_quality(args: argparse.Namespace, settings: Settings) -> int:
    from graph import open_store_fresh
    from loaders.derived.quality import quality, render, write_csv

    _existing_store(settings)
    rows = quality(open_store_fresh(settings))
    print(render(rows))
    if args.csv:
        write_csv(rows, Path(args.csv))
        print(f"\nwritten to {args.csv}", file=sys.stderr)
    return EXIT_OK


def cmd_derive(args: argparse.Namespace, settings: Settings) -> int:
    from graph import open_store_write
    from loaders.derived.state import ensure

    _existing_store(settings)
    done = ensure(open_store_write(settings), settings, force=True)
    print(f"rebuilt: {', '.join(done)}; store compacted", file=sys.stderr)
    return EXIT_OK


_PREFIX_KIND = {"ead": "ead", "ape_ead": "ead", "oai_dc": "dc", "eac": "eac", "eac-cpf": "eac",
                "eac_cpf": "eac", "apeeac": "eac"}


def _datestamp(text: str) -> str:
    """An OAI-PMH datestamp (``--until``): YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}Z)?", text):
        raise argparse.ArgumentTypeError(f"{text!r} is not YYYY-MM-DD or"
                                         " YYYY-MM-DDThh:mm:ssZ")
    return text


def cmd_harvest(args: argparse.Namespace, settings: Settings) -> int:
    from graph import open_store_read, open_store_write
    from loaders.harvest.run import Harvester, Target, target_of, url_target
    from loaders.harvest.sources import SourcesError, load_sources
    from loaders.harvest.state import read_states

    if args.status:
        _existing_store(settings)
        return _harvest_status(read_states(open_store_read(settings), settings.base_iri),
                               settings, args.json)
    urls = [t for t in args.targets if re.match(r"^https?://", t, re.IGNORECASE)]
    names = [t for t in args.targets if t not in urls]
    targets: list[Target] = []
    if urls:
        if names or args.all or len(urls) > 1:
            raise CollexError("give one URL alone, or source names from the sources file")
        if not args.metadata_prefix:
            raise CollexError("harvesting a URL needs --metadata-prefix (ead, oai_dc,"
                              " marc-xml...)")
        from loaders.harvest.sources import Source

        kind = args.kind or _PREFIX_KIND.get(args.metadata_prefix.lower()) or (
            "idref" if "marc" in args.metadata_prefix.lower() else None)
        if kind is None:
            raise CollexError(f"say what {args.metadata_prefix!r} records are with --kind"
                              " ead|dc|eac|idref")
        try:  # the same checks as a source of the file
            Source(id="url", name="url", url=urls[0], metadata_prefix=args.metadata_prefix,
                   set=args.set, kind=kind)
        except ValidationError as exc:
            raise CollexError(f"{urls[0]}: {exc.errors()[0]['msg']}") from None
        targets = [url_target(urls[0], args.metadata_prefix, args.set, kind)]
    else:
        if args.metadata_prefix or args.set or args.kind:
            raise CollexError("--metadata-prefix, --set and --kind go with a URL; a source of"
                              " the sources file says its own")
        if not names and not args.all:
            raise CollexError("name the sources to harvest, or --all (or a URL with"
                              " --metadata-prefix); --status shows what was harvested")
        try:
            sources = load_sources(settings.harvest_sources)
        except SourcesError as exc:
            raise CollexError(str(exc)) from None
        by_id = {s.id: s for s in sources}
        unknown = [n for n in names if n not in by_id]
        if unknown:
            raise CollexError(f"no source {', '.join(map(repr, unknown))} in"
                              f" {settings.harvest_sources} (sources: {', '.join(by_id)})")
        chosen = [by_id[n] for n in names] if names else [s for s in sources if s.enabled]
        if not chosen:
            raise CollexError(f"no enabled source in {settings.harvest_sources}")
        targets = [target_of(s) for s in chosen]
    _writable(args.report)
    store = open_store_write(settings)
    harvester = Harvester(settings, store, log=lambda m: print(m, file=sys.stderr),
                          progress=sys.stderr.isatty(), verbose=args.verbose)
    results = [harvester.harvest(t, full=args.full, until=args.until) for t in targets]
    if harvester.wrote and not args.no_derive:
        from loaders.derived.state import ensure

        done = ensure(store, settings)
        print(f"rebuilt for the new data: {', '.join(done) or 'nothing'}", file=sys.stderr)
    for result in results:
        print(result.summary(), file=sys.stderr)
    payload = {"sources": [r.to_dict() for r in results]}
    if args.report:
        Path(args.report).write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n",
                                     encoding="utf-8")
    if args.json:
        print(json.dumps(payload, ensure_ascii=False, indent=2))
    if any(r.outcome != "complete" for r in results):
        return EXIT_ERROR
    return EXIT_REJECTED if any(r.run.rejected or r.rejected for r in results) else EXIT_OK


def _harvest_status(states: list[HarvestState], settings: Settings, as_json: bool) -> int:
    from loaders.harvest.sources import SourcesError, load_sources

    try:
        configured = load_sources(settings.harvest_sources)
    except SourcesError:
        configured = []
    known = {s.key for s in states}
    never = [s for s in configured if s.id not in known]
    if as_json:
        print(json.dumps({"sources": [s.to_dict() for s in states],
                          "never_harvested": [s.id for s in never]},
                         ensure_ascii=False, indent=2))
        return EXIT_OK
    if not states and not never:
        print("no source harvested yet")
    for st in states:
        print(f"{st.key}  {st.url}  {st.prefix}" + (f" set {st.set_spec}" if st.set_spec
                                                     else ""))
        for label, run in (("last", st.last), ("running", st.current)):
            if run is None:
                continue
            when = f"{run.started} → {run.ended or '…'}"
            print(f"  {label}: {run.outcome}, {when}, {run.pages} page(s), {run.records}"
                  f" record(s): {run.added} added, {run.updated} updated, {run.unchanged}"
                  f" unchanged, {run.deleted} deleted, {run.rejected} rejected"
                  + (f"; datestamp reached {run.datestamp_reached}"
                     if run.datestamp_reached else ""))
            if run.error:
                print(f"    error: {run.error}")
        if st.complete is not None and st.complete.next_from:
            print(f"  next harvest from {st.complete.next_from}")
    for src in never:
        print(f"{src.id}  {src.url}  {src.metadata_prefix}  never harvested")
    return EXIT_OK


def _bound_malloc_arenas() -> None:
    """glibc gives each thread that allocates its own malloc arena (up to 8 per core), and
    the server's thread pool spreads allocations over all of them: its RSS grew by 40% over a
    10-minute soak before levelling off (measured). Two arenas keep it flat. No-op where
    glibc's ``mallopt`` is not there."""
    import contextlib
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).mallopt(-8, 2)  # M_ARENA_MAX


def _port_free(host: str, port: int) -> None:
    """Refuse, in one line, a port another process listens on (uvicorn would print several
    lines and exit 3) or an address this machine does not have."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError:
        raise CollexError(f"cannot serve on {host}: not an address of this machine") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            why = ("in use (another collex serve?): choose another with --port"
                   if exc.errno == errno.EADDRINUSE else exc.strerror or str(exc))
            raise CollexError(f"cannot serve on {host}:{port}: {why}") from None


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from api.app import create_app
    from api.server import protocol_with_header_timeout

    if not args.create_store:
        _existing_store(settings)
    _port_free(args.host, args.port)
    _bound_malloc_arenas()
    logging.basicConfig(format="%(levelname)s:  [%(name)s] %(message)s")
    logging.getLogger("collex").setLevel(logging.INFO)
    app = create_app(settings)
    print(f"serving {settings.store_dir} on http://{args.host}:{args.port}/", file=sys.stderr)
    uvicorn.run(app, host=args.host, port=args.port, log_level="info",
                http=protocol_with_header_timeout(settings.header_timeout))
    return EXIT_OK


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not a positive number")
    return value


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 < value < 65536:
        raise argparse.ArgumentTypeError(f"{value} is not a port number (1-65535)")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="collex",
        description="CollEx knowledge graph: load fonds notices, query and serve the graph.",
        epilog="Exit codes: 0 all loaded / success, 1 some records rejected, 2 usage or"
        " runtime error. Settings come from COLLEX_* environment variables (see README).",
    )
    parser.add_argument("--version", action="version", version=f"collex {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    for name, helptext in (("load", "load files or folders into the store"),
                           ("validate", "check files or folders without writing anything")):
        p = sub.add_parser(name, help=helptext, description=helptext)
        p.add_argument("paths", nargs="+", metavar="PATH", help="files or folders")
        p.add_argument("--format", default="auto",
                       choices=["auto", "ead", "oai", "eac", "idref", "lists"],
                       help="input format (default: detected from the content)")
        p.add_argument("--report", metavar="FILE", help="write the JSON report to FILE")
        p.add_argument("--json", action="store_true", help="print the JSON report on stdout")
        if name == "load":
            p.add_argument("--no-derive", action="store_true",
                           help="skip recomputing related collections and the search index"
                                " (run `collex derive` later)")
        p.set_defaults(func=cmd_load)

    p = sub.add_parser("fidelity", help="source elements seen, mapped and not mapped, per file"
                       " (reads and converts, writes nothing)")
    p.add_argument("paths", nargs="+", metavar="PATH", help="files or folders")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_fidelity)

    p = sub.add_parser("stats", help="triples per graph and resources per class")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_stats)

    p = sub.add_parser("query", help="run a SPARQL query (common prefixes are predeclared)")
    p.add_argument("sparql", help="the query, @FILE to read it from a file, or - for stdin")
    p.add_argument("--format", default=None,
                   choices=["json", "csv", "tsv", "xml", "turtle", "ntriples", "nquads", "trig",
                            "rdfxml", "jsonld"],
                   help="answer format (default: csv for SELECT/ASK, turtle for graphs)")
    p.set_defaults(func=cmd_query)

    p = sub.add_parser("dump", help="write the whole store to FILE (.nq or .trig)")
    p.add_argument("file")
    p.set_defaults(func=cmd_dump)

    p = sub.add_parser("publish", help="make the downloadable dumps (N-Quads gzip, collections"
                       " CSV) that the server publishes at /dumps")
    p.set_defaults(func=cmd_publish)

    p = sub.add_parser("export", help="write analysis-ready tables: `export datasets DIR`"
                       " (CSV, Parquet and a Frictionless datapackage.json)")
    p.add_argument("what", choices=["datasets"], help="what to export")
    p.add_argument("directory", metavar="DIR", help="folder to write (new, empty, or a"
                   " previous export, replaced whole)")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("restore", help="replace the whole store by a dump (.nq or .trig)")
    p.add_argument("file")
    p.set_defaults(func=cmd_restore)

    p = sub.add_parser("backup", help="write a consistent copy of the store to a new folder")
    p.add_argument("directory")
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("enrich", help="fetch cited authorities missing from the store")
    p.add_argument("source", choices=["idref"], help="authority file")
    p.add_argument("--sparql", metavar="URL",
                   help="fetch from this SPARQL endpoint (data.idref.fr style) instead of"
                        " {PPN}.xml records")
    p.add_argument("--with-broader", action="store_true",
                   help="also fetch the broader terms of fetched subjects (up to 5 levels)")
    p.add_argument("--verbose", action="store_true", help="one line per PPN")
    p.set_defaults(func=cmd_enrich)

    p = sub.add_parser("link-report", help="IdRef link rate per institution, unresolved PPNs,"
                       " alignment candidates")
    p.add_argument("--candidates", metavar="FILE.csv",
                   help="write the alignment candidates for curators to review")
    p.add_argument("--json", action="store_true", help="also print the report as JSON")
    p.set_defaults(func=cmd_link_report)

    p = sub.add_parser("suggest-members", help="collections to invite into a thematic network")
    p.add_argument("network", help="network identifier (as in networks.csv) or IRI")
    p.add_argument("--limit", type=_positive, default=10,
                   help="how many suggestions (default 10)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_suggest)

    p = sub.add_parser("quality", help="indexing quality per institution")
    p.add_argument("--csv", metavar="FILE", help="also write the table as CSV")
    p.set_defaults(func=cmd_quality)

    p = sub.add_parser("harvest", help="harvest OAI-PMH repositories (the sources file, or one"
                       " URL)")
    p.add_argument("targets", nargs="*", metavar="SOURCE|URL",
                   help="sources of COLLEX_HARVEST_SOURCES by id, or one OAI-PMH base URL")
    p.add_argument("--all", action="store_true", help="every enabled source of the file")
    p.add_argument("--metadata-prefix", metavar="PREFIX", help="with a URL: the format asked")
    p.add_argument("--set", metavar="SET", help="with a URL: the set asked")
    p.add_argument("--kind", choices=["ead", "dc", "eac", "idref"],
                   help="with a URL: what the records are (default: from the prefix)")
    p.add_argument("--full", action="store_true",
                   help="ask for every record, not only what changed since the last harvest")
    p.add_argument("--until", type=_datestamp, metavar="DATESTAMP",
                   help="only records changed up to this datestamp")
    p.add_argument("--status", action="store_true",
                   help="show what each source's last harvests did, and stop")
    p.add_argument("--report", metavar="FILE", help="write the JSON report to FILE")
    p.add_argument("--json", action="store_true", help="print the JSON report on stdout")
    p.add_argument("--verbose", action="store_true", help="one line per page")
    p.add_argument("--no-derive", action="store_true",
                   help="skip recomputing related collections and the search index")
    p.set_defaults(func=cmd_harvest)

    p = sub.add_parser("derive", help="recompute the related-collections graph and the search"
                       " index")
    p.set_defaults(func=cmd_derive)

    p = sub.add_parser("serve", help="serve the web application")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=_port, default=8000)
    p.add_argument("--create-store", action="store_true",
                   help="serve an empty new store when COLLEX_STORE_DIR holds none (without"
                        " it, a missing store is an error)")
    p.set_defaults(func=cmd_serve)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as exc:
        for e in exc.errors():
            _err(f"setting COLLEX_{str(e['loc'][0]).upper()}: {e['msg']}")
        return EXIT_ERROR
    except SettingsError as exc:  # a list or number setting that does not parse
        m = re.search(r'field "(\w+)"', str(exc))
        name = f"COLLEX_{m.group(1).upper()}" if m else "a COLLEX_ setting"
        _err(f"setting {name}: not valid JSON (a list is written"
             ' ["https://a.example", "https://b.example"])')
        return EXIT_ERROR
    try:
        code: int = args.func(args, settings)
        return code
    except CollexError as exc:
        _err(exc.detail)
        return EXIT_ERROR
    except BrokenPipeError:  # output closed early (| head): not an error
        sys.stderr.close()
        return EXIT_OK
    except KeyboardInterrupt:
        _err("interrupted; the store is unchanged by the interrupted write")
        return EXIT_ERROR
    except OSError as exc:
        _err(f"{exc.strerror or exc}{f': {exc.filename}' if exc.filename else ''}")
        return EXIT_ERROR
    except Exception as exc:  # a bug: one line, never a stack trace to a user
        _err(f"internal error ({type(exc).__name__}: {str(exc)[:300]}); the store is"
             " unchanged by any write that did not finish; please report it")
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())

"""The load report: every rejected record with file, record id and reason; warnings; counts."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from loaders.fidelity import Fidelity


@dataclass(frozen=True)
class Issue:
    file: str
    record: str | None
    message: str


@dataclass
class LoadReport:
    """What a load (or a validation) did. ``exit_code``: 0 all loaded, 1 some rejected."""

    written: bool = False
    files: int = 0
    records: int = 0
    loaded: int = 0
    deleted: int = 0
    triples: int = 0
    seconds: float = 0.0
    rejected: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    graphs: list[str] = field(default_factory=list)
    fidelity: dict[str, Fidelity] = field(default_factory=dict)  # file -> elements kept

    def account(self, file: str, fidelity: Fidelity) -> None:
        """Add what a record of ``file`` kept of its source elements."""
        self.fidelity.setdefault(file, Fidelity())
        self.fidelity[file] += fidelity

    def fidelity_total(self) -> Fidelity:
        total = Fidelity()
        for f in self.fidelity.values():
            total += f
        return total

    def reject(self, file: str, record: str | None, reason: str) -> None:
        self.rejected.append(Issue(file, record, reason))

    def warn(self, file: str, record: str | None, message: str) -> None:
        self.warnings.append(Issue(file, record, message))

    @property
    def exit_code(self) -> int:
        return 1 if self.rejected else 0

    def to_dict(self) -> dict[str, object]:
        rate = self.seconds or 1e-9
        return {
            "written": self.written,
            "files": self.files,
            "records": self.records,
            "loaded": self.loaded,
            "deleted": self.deleted,
            "rejected_count": len(self.rejected),
            "triples": self.triples,
            "seconds": round(self.seconds, 3),
            "records_per_second": round(self.loaded / rate, 1),
            "triples_per_second": round(self.triples / rate, 1),
            "graphs": self.graphs,
            "rejected": [asdict(i) for i in self.rejected],
            "warnings": [asdict(i) for i in self.warnings],
            "fidelity": {file: f.to_dict() for file, f in self.fidelity.items()},
            "exit_code": self.exit_code,
        }

    def write_json(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n",
                        encoding="utf-8")

    def summary(self) -> str:
        """A short human summary for the terminal."""
        verb = "loaded" if self.written else "valid"
        lines = [
            f"{self.files} file(s), {self.records} record(s): {self.loaded} {verb},"
            + (f" {self.deleted} deleted," if self.deleted else "")
            + f" {len(self.rejected)} rejected, {len(self.warnings)} warning(s);"
            f" {self.triples} triples in {self.seconds:.2f} s"
        ]
        total = self.fidelity_total()
        if total.seen:
            lines.append(f"  source elements: {total.seen} seen, {total.mapped} mapped,"
                         f" {total.seen - total.mapped} not mapped"
                         + (" (collex fidelity PATH lists them)" if total.unmapped else ""))
        for issue in self.rejected:
            rec = f" [{issue.record}]" if issue.record else ""
            lines.append(f"  REJECTED {issue.file}{rec}: {issue.message}")
        shown = self.warnings[:20]
        for issue in shown:
            rec = f" [{issue.record}]" if issue.record else ""
            lines.append(f"  warning  {issue.file}{rec}: {issue.message}")
        if len(self.warnings) > len(shown):
            lines.append(f"  ... {len(self.warnings) - len(shown)} more warning(s) in the report")
        return "\n".join(lines)

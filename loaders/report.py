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
    validation: bool = False  # `collex validate`: nothing was to be written
    files: int = 0
    records: int = 0
    loaded: int = 0
    unchanged: int = 0  # of ``loaded``: records whose graph was already in the store as is
    replaced: int = 0  # of ``loaded``: records that replaced another version in the store
    deleted: int = 0
    deletions_ignored: int = 0  # deletions of records the store does not hold
    triples: int = 0
    seconds: float = 0.0
    rejected: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    graphs: list[str] = field(default_factory=list)
    fidelity: dict[str, Fidelity] = field(default_factory=dict)  # file -> elements kept
    loaded_by_file: dict[str, int] = field(default_factory=dict)
    seconds_by_file: dict[str, float] = field(default_factory=dict)  # reading and converting

    def account(self, file: str, fidelity: Fidelity) -> None:
        """Add what a record of ``file`` kept of its source elements."""
        self.fidelity.setdefault(file, Fidelity())
        self.fidelity[file] += fidelity

    def fidelity_total(self) -> Fidelity:
        total = Fidelity()
        for f in self.fidelity.values():
            total += f
        return total

    def loaded_from(self, file: str, counted: bool = True) -> None:
        """A record of ``file`` loaded (``counted=False``: one the loader made, not the file's
        own, counted in the total only)."""
        self.loaded += 1
        if counted:
            self.loaded_by_file[file] = self.loaded_by_file.get(file, 0) + 1

    def per_file(self) -> dict[str, dict[str, float | int]]:
        """For each file read: records loaded, rejected, warnings, seconds spent reading it."""
        out: dict[str, dict[str, float | int]] = {
            file: {"loaded": 0, "rejected": 0, "warnings": 0, "seconds": round(s, 3)}
            for file, s in self.seconds_by_file.items()}
        blank = {"loaded": 0, "rejected": 0, "warnings": 0, "seconds": 0.0}
        for file, n in self.loaded_by_file.items():
            out.setdefault(file, dict(blank))["loaded"] = n
        for key, issues in (("rejected", self.rejected), ("warnings", self.warnings)):
            for issue in issues:
                out.setdefault(issue.file, dict(blank))[key] += 1
        return out

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
            "unchanged": self.unchanged,
            "replaced": self.replaced,
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
            "per_file": self.per_file(),
            "exit_code": self.exit_code,
        }

    def write_json(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n",
                        encoding="utf-8")

    def summary(self) -> str:
        """A short human summary for the terminal."""
        verb = "valid" if self.validation else "loaded"
        lines = [
            f"{self.files} file(s), {self.records} record(s): {self.loaded} {verb},"
            + (f" {self.unchanged} of them unchanged (not rewritten)," if self.unchanged else "")
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

"""CollEx knowledge graph: core package (settings, errors, CLI)."""

__version__ = "0.1.0"

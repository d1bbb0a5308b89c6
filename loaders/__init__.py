"""Loaders: each source format has ``parse.py`` (bytes -> typed records) and ``convert.py``
(record -> RDF, pure); all share one pipeline for validation and writing (``pipeline.py``)."""

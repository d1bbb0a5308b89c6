"""Simple Dublin Core records (``oai_dc``), as OAI-PMH answers carry them."""

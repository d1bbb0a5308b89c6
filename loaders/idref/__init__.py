"""IdRef authorities: UNIMARC records (MARCXML, OAI-PMH, ISO 2709) and IdRef RDF/XML."""

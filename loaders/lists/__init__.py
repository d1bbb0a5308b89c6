"""Curators' lists (CSV UTF-8): institutions, CollEx labels, thematic networks, members.
The format is documented in ontology/lists-format.md."""

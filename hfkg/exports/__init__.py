"""Exports: RDF dumps, tables and maps of the built graph."""

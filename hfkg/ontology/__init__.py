"""The hfkg ontology, SKOS vocabularies, SHACL shapes and JSON-LD context, shipped as package data.

- :mod:`hfkg.ontology.namespace`: closed rdflib namespaces (``HFKG``, ``ROLE``, ``PF`` ...) and ``vocab()``.
- :mod:`hfkg.ontology.resources`: ``ontology_graph()``, ``vocab_graph()``, ``shapes_graph()``,
  ``family_types()``, ``family_type_index()`` and ``validate()``.

The ontology and vocabularies live in fixed namespaces (``https://w3id.org/hfkg/ont#``,
``https://w3id.org/hfkg/vocab/<scheme>/``), independent of the configurable instance-data base.
"""

from hfkg.ontology.resources import (
    FamilyType,
    ValidationResult,
    family_type_index,
    family_types,
    ontology_graph,
    shapes_graph,
    validate,
    vocab_graph,
)

__all__ = [
    "FamilyType",
    "ValidationResult",
    "family_type_index",
    "family_types",
    "ontology_graph",
    "shapes_graph",
    "validate",
    "vocab_graph",
]

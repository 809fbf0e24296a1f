"""The graph stage: the embedded store, SPARQL (saved queries, endpoints), the read-only server, similarity.

Modules load lazily; import what you need: :mod:`hfkg.graph.store`, :mod:`hfkg.graph.sparql`,
:mod:`hfkg.graph.endpoint`, :mod:`hfkg.graph.serve`.
"""

"""Text to extraction records (``hfkg-extraction/1``).

Stages: :mod:`reader` (decode and locate sources), :mod:`normalize` (width
folding, traditional to simplified, de-wrapping, with an exact offset map back
to the raw text), :mod:`sections`, the recognisers (:mod:`gazetteer`,
:mod:`entities`), :mod:`benefits`, :mod:`relations`, and :mod:`pipeline`,
which ties them together.  Nothing here knows about RDF.
"""

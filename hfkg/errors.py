"""The one exception hierarchy of hfkg.

Every error a user can cause derives from :class:`HfkgError`; the CLI prints it
as ``Error: <message>`` plus its hint on one line and exits with status 1.
"""

from __future__ import annotations


class HfkgError(Exception):
    """Base class of all errors hfkg raises on purpose."""

    hint: str = ""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        if hint is not None:
            self.hint = hint

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""


class InputError(HfkgError):
    """A source file or folder cannot be read or decoded."""

    hint = "give a UTF-8, GB18030, Big5 or UTF-16 .txt file, or pass --encoding"


class RecordError(HfkgError):
    """An extraction or gold JSON file is malformed or of the wrong format."""

    hint = "the file must be JSON in the hfkg-extraction/1 format (see the README)"


class ExtractionError(HfkgError):
    """The extractor met text it cannot process."""


class OntologyError(HfkgError):
    """The shipped ontology, shapes or vocabularies are inconsistent."""


class BuildError(HfkgError):
    """Building the RDF graph failed (bad base IRI, curation file, output folder)."""


class ValidationError(HfkgError):
    """The data does not conform to the SHACL shapes."""


class QueryError(HfkgError):
    """A SPARQL query is malformed, unknown, or was given bad parameters."""


class StoreError(HfkgError):
    """The embedded store cannot be opened or written."""


class EndpointError(HfkgError):
    """A remote SPARQL endpoint is unreachable or answered with an error."""


class ExportError(HfkgError):
    """An export or map could not be written."""

"""RDF namespaces used by the builders: the fixed hfkg ontology and vocabularies, and reused standards."""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, PROV, RDF, RDFS, SKOS, VOID, XSD

from hfkg.ontology.namespace import AL, BT, CPSV, CV, FT, HFKG, IT, NIF, OA, OT, PF, PU, ROLE, VQ

ONT = str(HFKG._NS)
VOCAB = "https://w3id.org/hfkg/vocab/"
SCHEMA = Namespace("https://schema.org/")
TIME = Namespace("http://www.w3.org/2006/time#")
DCT = DCTERMS


def scheme(name: str) -> Namespace:
    """The namespace of one SKOS concept scheme, e.g. ``scheme("family-type")``."""
    return Namespace(f"{VOCAB}{name}/")


__all__ = ["AL", "BT", "CPSV", "CV", "DCAT", "DCT", "FOAF", "FT", "HFKG", "IT", "NIF", "OA", "ONT", "ORG", "OT",
           "PF", "PROV", "PU", "RDF", "RDFS", "ROLE", "SCHEMA", "SKOS", "TIME", "VOCAB", "VOID", "VQ", "XSD",
           "scheme"]


def prefixes(base: str) -> dict[str, str]:
    """Prefix map for dumps: standard vocabularies, the hfkg schemes and the instance namespaces under ``base``."""
    out = {
        "rdf": str(RDF), "rdfs": str(RDFS), "xsd": str(XSD), "skos": str(SKOS), "dct": str(DCT),
        "dcat": str(DCAT), "void": str(VOID), "prov": str(PROV), "org": str(ORG), "foaf": str(FOAF),
        "cpsv": str(CPSV), "cv": str(CV), "schema": str(SCHEMA), "oa": str(OA), "nif": str(NIF),
        "time": str(TIME), "hfkg": ONT,
        "ft": str(FT), "bt": str(BT), "role": str(ROLE), "pf": str(PF), "pu": str(PU), "vq": str(VQ),
        "al": str(AL), "it": str(IT), "ot": str(OT),
    }
    for prefix, kind in (("ini", "initiative"), ("agt", "agent"), ("reg", "region"), ("ben", "benefit"),
                         ("amt", "amount"), ("part", "participation"), ("per", "person"), ("doc", "doc"),
                         ("span", "span"), ("ann", "annotation"), ("stmt", "statement"), ("run", "run"),
                         ("sw", "software"), ("sec", "section"), ("cft", "family-type")):
        out[prefix] = f"{base}id/{kind}/"
    out["g"] = f"{base}graph/"
    out["gdoc"] = f"{base}graph/doc/"
    return out

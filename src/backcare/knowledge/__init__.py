"""Versioned, cited knowledge: the data the pure core reasons with.

Files live in ``data/`` (YAML), are validated by the pydantic models in :mod:`.schema` and the
domain schema modules beside it, and are cited by source id from every result.
"""

from backcare.knowledge.catalog import KINDS, load_all
from backcare.knowledge.loader import fingerprint, load, source, source_registry
from backcare.knowledge.schema import Cited, Document, KnowledgeModel, Source

__all__ = [
    "KINDS",
    "Cited",
    "Document",
    "KnowledgeModel",
    "Source",
    "fingerprint",
    "load",
    "load_all",
    "source",
    "source_registry",
]

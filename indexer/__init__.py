"""Think-tank report indexer: PDF reports in, page-exact citations out."""

__version__ = "0.1.0"

"""`python -m indexer` runs the CLI."""

from .cli import main

main()

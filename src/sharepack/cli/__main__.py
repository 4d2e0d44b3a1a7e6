"""`python -m sharepack.cli`: the same CLI, for tools that start it as a subprocess."""

from sharepack.cli import main

main()

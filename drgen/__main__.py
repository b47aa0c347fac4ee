"""`python -m drgen`."""

from drgen.cli import main

main()

"""`python -m drgen`."""

from drgen.console import main

main()

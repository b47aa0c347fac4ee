"""What each command does, as plain functions a library caller or a test calls without typer.

One module per command (`new`, `update`, `verify`, `audit`, `report`), over `messages`: what
a command tells its user goes through a `Messages` object the caller supplies (the CLI's
prints lines or one JSON document). `drgen.cli` parses options and maps errors to exit codes;
the parts (`answers`, `project`, `verification`, `update`, `audit`, `posture`) do the work.
"""

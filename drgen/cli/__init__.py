"""The command line, typer only: options, prompts' trigger, printing and exit codes.

`app` registers one module per command (`new`, `update`, `verify`, `audit`, `report`), each
parsing its options and calling `drgen.commands`; `output` prints for people or as one JSON
document, and `app`'s group maps every `DrgenError` to its line and exit code, once.
"""

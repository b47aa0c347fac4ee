"""A project on disk: rendering the template into it, and writing it whole or not at all.

`render` renders and moves a new project into place; `record` is what a project keeps of its
generation; `transaction` makes every write of `new --force` and `update` land whole or roll
back; `target` checks where `new` writes; `locks` keeps one writer per project; `blob` is a
file as drgen writes it.
"""

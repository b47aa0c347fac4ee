"""`drgen update`: bring a project to the installed template without losing the user's work.

A three-way merge per file: the base is what drgen rendered last time (kept in the project as
`.drgen/base.json`, so neither git history nor the template's own repository is needed: it
works from a wheel, in a shallow clone, after a squash merge), "yours" is the file on disk,
"theirs" is what the installed template renders now from the recorded (or changed) answers.

Three layers: reading the project (`record.read_recorded`, `plan.read_yours`, untrusted input,
validated), planning (`changes.plan_changes`, pure: bytes and modes in, a list of changes out)
and writing (`plan.apply_plan`, one transaction that is rolled back on any failure or Ctrl-C).

- `paths`: which paths from the record or the template may be used, and that they stay inside.
- `record`: the record in `.drgen/` (`Recorded`, `read_recorded`, decoding base.json).
- `answer_changes`: `--set` (`parse_sets`), the region order a live stack keeps, the new answers.
- `merge`: the three-way merge of one file's bytes (git merge-file), line endings, its mode.
- `patch`: a change as a patch `git apply` takes (`--pretend`).
- `changes`: every file's fate from its three sides (`FileChange`, `plan_file`, `plan_changes`).
- `plan`: the whole update, planned then applied (`UpdatePlan`, `plan_update`, `apply_plan`).
- `status`: `--check` and the tree (`check_status`, `unresolved_conflicts`, `check_clean_git`).
"""

"""Verification: a project's own suite, run in a warmed child, and what its reports prove.

`run.verify_project` is the way in; `result` holds what it returns. The child's side
(`runner`, and the pytest plugins `progress_plugin` and `replay`) imports only what a
generated suite needs, so this file imports nothing: the child starts here.
"""

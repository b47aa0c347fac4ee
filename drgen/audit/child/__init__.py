"""The child side of `drgen audit`: runs Pulumi programs under recording mocks.

Run by the target program's own interpreter (`python drgen/audit/child JOBS.json OUT.json`,
see `__main__`), so it imports only the standard library and `pulumi`, never drgen, and its
modules import each other relatively. Each job names a program directory, its entry and its
stack config; the output holds, per job, what the program would have sent to the engine
(`recording`, with outputs from `computed` typed by `conforming`), or the program's own
error (`failure`). `job` runs them.
"""

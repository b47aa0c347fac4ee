"""The audit's rules: one per way a multi-region DR stack fails, checked on a run's record.

`registry` finds them (one file per rule, in a folder per area: `network`, `dns`,
`storage`, `identity`, `operations`, `program`); each file carries its rule's metadata
(`base.rule`) above its check. The checks read the record through `context.Context`, with
the helpers of `values` and the types of `resource_types`; `findings.check` runs the chosen
rules and turns their hits into findings.
"""

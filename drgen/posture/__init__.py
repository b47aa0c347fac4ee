"""`drgen report`: the DR posture and the idle cost of a generated project, from its own code.

Nothing here restates the template: the project's program runs offline under the audit's mocks,
and every number (health-check interval and threshold, replication time, alarms, endpoints,
secret replicas) is read from the resources it declares, so the report follows the project,
edits included. Prices come from drgen's dated price table (prices.json), never from AWS.

- `model`: the posture and its cost lines, as data.
- `resource_types`: the Pulumi types the posture reads, and how to find them.
- `derive`: `build`, running the program and filling the posture.
- `survival`: what the stack survives, its recovery objectives, what it does not cover, who
  hears the alarms.
- `costs`: the idle stack's monthly cost and the per-use prices, from `prices.json`.
- `output`: the posture for people and as JSON.

Its front door, for the command: `build`, then `text` or `document`.
"""

from drgen.posture.derive import build
from drgen.posture.output import document, text

__all__ = ["build", "document", "text"]

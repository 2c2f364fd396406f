"""Projections: work queues, SLA clocks and compliance figures rebuilt from the ledger's log.

See docs/projections.md. `projections.rules` imports the standard library only.
"""

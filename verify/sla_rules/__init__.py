"""SLA and compliance rules over the clear headers of report events.

This package imports the standard library only, so that an auditor can copy it next to an
independent verifier and recompute every figure the projections show from an export bundle.
"""

"""The sandbox's kernel: records, state, clock, settings, HTTP helpers, rate limits, faults.

Nothing here imports another part of the sandbox; every other layer builds on it.
"""

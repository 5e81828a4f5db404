"""Use cases: one function each; the transaction boundary lives here."""

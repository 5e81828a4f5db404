"""The pure core: needs, experts, matching, lifecycle and KPIs. No I/O library may be imported here."""

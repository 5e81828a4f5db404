"""A commune's plan (PCD, PAC): its project list read as rows, each row a draft need (pure, no I/O)."""

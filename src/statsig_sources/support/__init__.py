"""What every stage shares: the exit-coded errors, atomic file writes, sealing, redaction and output."""

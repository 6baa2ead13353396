"""faust-streaming processors that derive events (grades, deadlines, suspicion, analytics)."""

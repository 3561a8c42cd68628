"""The audit log: who did what to whose data, and when."""

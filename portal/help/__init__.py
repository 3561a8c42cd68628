"""One-tap help: requests that land in the grid's queue, escalate, and close the loop with the resident."""

"""Meal delivery: enrolments, pauses, the daily bookings, rounds and what happened at the door."""

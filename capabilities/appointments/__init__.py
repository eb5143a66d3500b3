"""Appointments at the Espaces 20 000 emplois: agenda, free slots, booking, reminders."""

"""The community canteen: meal services, daily menus, age-tiered prices and bookings."""

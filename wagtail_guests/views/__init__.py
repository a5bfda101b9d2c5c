"""Admin views that are not plain CRUD: the guest profile, guest forms, tags, bookings."""

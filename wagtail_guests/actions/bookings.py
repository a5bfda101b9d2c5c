from django.db import IntegrityError, transaction

from ..models import Activity, ActivityKind, Booking


def create_booking(*, booker, additional_guests=(), user=None, log_activity=True, **fields):
    """Create a booking for ``booker`` with a fresh unique reference.

    ``fields`` are Booking fields (kind, arrival_date, departure_date, time, number_of_guests,
    room_type, notes, site, status…). Each guest on the booking gets a "booked" activity.
    """
    # No savepoint of its own inside a caller's transaction (a form submission runs three
    # actions in one): an error here fails the whole of it anyway.
    with transaction.atomic(savepoint=False):
        for _attempt in range(10):
            booking = Booking(booker=booker, **fields)
            try:
                with transaction.atomic():
                    booking.save()
                break
            except IntegrityError:
                # The 1-in-a-billion reference clash; any other integrity error repeats.
                if Booking.objects.filter(reference=booking.reference).exists():
                    continue
                raise
        else:
            raise IntegrityError("Could not find a free booking reference.")
        if additional_guests:
            booking.additional_guests.add(*additional_guests)
        if log_activity:
            payload = {"reference": booking.reference, "kind": booking.kind}
            Activity.objects.bulk_create(
                [
                    Activity(
                        guest=guest,
                        kind=ActivityKind.BOOKED,
                        booking=booking,
                        user=user,
                        payload={**payload, "companion": guest is not booker},
                    )
                    for guest in [booker, *additional_guests]
                    if guest is not None
                ]
            )
    return booking

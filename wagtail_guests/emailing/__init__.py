"""Email to guests: templates and merge fields, the outbox, scheduled emails and unsubscribe.

- :mod:`.templates`: pick a template in the guest's language and fill its merge fields;
- :mod:`.outbox`: :func:`~.outbox.queue_email` writes an email to the outbox, a task sends
  it (:func:`~.outbox.send_email`), provider errors are retried with backoff;
- :mod:`.scheduling`: "N days before arrival / after departure" rules, queued exactly once;
- :mod:`.unsubscribe`: signed links, the one-click ``List-Unsubscribe`` headers, the action;
- :mod:`.receivers`: the anymail ``pre_send`` guard that never lets a message reach an
  unsubscribed (marketing) or anonymised guest.

Tracking events, replies and the inbox live in :mod:`wagtail_guests.conversations`.
"""

"""Conversations with guests: what comes back after an email is sent.

- :mod:`.tracking`: anymail tracking webhooks (delivered, opened, clicked, bounced, complained)
  become :class:`~wagtail_guests.models.EmailEvent` rows and lines on the guest's timeline; a
  hard bounce or a complaint marks the guest not reachable by email.
- :mod:`.inbound`: anymail inbound webhooks (a guest's reply) become inbound
  :class:`~wagtail_guests.models.Message` rows of the guest's conversation, photos kept.
- :mod:`.inbox`: the admin inbox's queries; :mod:`.replies`: a staff reply from the inbox;
  :mod:`.score`: the response-time score; :mod:`.translation`: message translation backends.
- :mod:`.receivers`: connects the anymail signals (imported from ``AppConfig.ready()``).

Every webhook event is processed once: :func:`.events.claim` records its id in
:class:`~wagtail_guests.models.ProcessedWebhook` in the same transaction as its effects.
"""

"""Signals of the conversations. They are public API, sent after the transaction commits."""

from django.dispatch import Signal

#: A guest's email was stored as a message of their conversation.
#: ``sender``: the Message class; ``message``: the new inbound message; ``guest``: its guest.
#: E.g. notify the front desk; the message's text is personal data, keep it out of logs.
message_received = Signal()

#: A staff member replied from the inbox (the email is queued in the outbox).
#: ``sender``: the Message class; ``message``: the outbound message; ``user``: the staff user.
reply_queued = Signal()

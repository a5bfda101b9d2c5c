"""``{% guest_conversation guest %}``: the "Conversation" section of the guest profile.

A tag rather than profile view context, so the profile view does not depend on the inbox.
"""

from django import template
from django.urls import reverse

from ..conversations.inbox import conversation, unread_messages
from ..models import MessageDirection

register = template.Library()

#: Messages shown on the profile; the inbox shows them all.
LATEST = 3


@register.inclusion_tag("wagtail_guests/admin/inbox/_profile_conversation.html")
def guest_conversation(guest):
    latest = list(conversation(guest).reverse()[:LATEST]) if not guest.anonymised_at else []
    latest.reverse()
    for message in latest:
        message.is_inbound = message.direction == MessageDirection.INBOUND
    return {
        "guest": guest,
        "messages": latest,
        "count": conversation(guest).count() if latest else 0,
        "unread": unread_messages().filter(guest=guest).count() if latest else 0,
        "url": reverse("guest_inbox:conversation", args=[guest.pk]),
    }

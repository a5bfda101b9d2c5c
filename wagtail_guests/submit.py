"""Serving pages that carry form blocks: block ids for rendering, and public POST handling.

Registered in ``wagtail_hooks.py`` around page serving. For every page it serves it finds the
contact and booking blocks in the page's StreamFields (through nested stream, list and struct
blocks) and sets each value's ``guests_block_id``. A POST whose ``guests-block`` field names one
of them is validated with that block's form:

* a spam trap springs, or the client is over the rate limit: the normal success redirect,
  nothing stored;
* invalid: the bound form is kept on the request and the page renders as usual, the block
  showing the visitor's input and the errors;
* valid: ``actions.record_submission`` stores it, then a redirect to the page with
  ``?guests-sent=<block id>`` shows the block's success message (POST/redirect/GET).

CSRF is checked by Django's middleware before the page is served.
"""

from __future__ import annotations

import uuid
from functools import cache
from urllib.parse import urlencode

from django.http import HttpResponseRedirect
from wagtail import views as wagtail_views
from wagtail.blocks import ListBlock, StreamBlock, StructBlock
from wagtail.fields import StreamField
from wagtail.models import Site

from . import spam
from .blocks import (
    BLOCK_ID_ATTR,
    MARKER_FIELD,
    SENT_PARAM,
    BaseGuestFormBlock,
    anchor_id,
    form_prefix,
)
from .forms import current_language

#: Recent Wagtail versions serve pages through an ``on_serve_page`` chain whose outer link
#: checks view restrictions (after every ``before_serve_page`` hook has run): handling
#: submissions inside that chain keeps the forms of private pages private.
HAS_SERVE_CHAIN = hasattr(wagtail_views, "serve_chain")
_CONTAINS_ATTR = "_wagtail_guests_contains_form"


def contains_form_block(block) -> bool:
    """Whether a block definition can hold a contact or booking block (cached on the block)."""
    cached = getattr(block, _CONTAINS_ATTR, None)
    if cached is None:
        if isinstance(block, BaseGuestFormBlock):
            cached = True
        elif isinstance(block, ListBlock):
            cached = contains_form_block(block.child_block)
        elif isinstance(block, (StreamBlock, StructBlock)):
            cached = any(contains_form_block(child) for child in block.child_blocks.values())
        else:
            cached = False
        setattr(block, _CONTAINS_ATTR, cached)
    return cached


@cache
def _form_stream_fields(model) -> tuple[StreamField, ...]:
    return tuple(
        field
        for field in model._meta.concrete_fields
        if isinstance(field, StreamField) and contains_form_block(field.stream_block)
    )


def find_form_blocks(page) -> dict[str, tuple[BaseGuestFormBlock, object]]:
    """Map block id -> (block, value) for the form blocks of ``page``, marking each value."""
    found = {}
    for field in _form_stream_fields(type(page)):
        collect_form_blocks(field.stream_block, getattr(page, field.attname), found=found)
    return found


def collect_form_blocks(block, value, block_id="", found=None):
    """Walk ``value`` (of ``block``) for form blocks: mark each value with its id, map them."""
    found = {} if found is None else found
    if value is None or not contains_form_block(block):
        return found
    if isinstance(block, BaseGuestFormBlock):
        if block_id:
            setattr(value, BLOCK_ID_ATTR, block_id)
            found[block_id] = (block, value)
    elif isinstance(block, StreamBlock):
        for child in value:
            collect_form_blocks(child.block, child.value, child.id or "", found)
    elif isinstance(block, ListBlock):
        for child in getattr(value, "bound_blocks", ()):
            collect_form_blocks(block.child_block, child.value, child.id or "", found)
    elif isinstance(block, StructBlock):
        for name, child_block in block.child_blocks.items():
            # A block inside a struct has no id of its own: derive a stable one.
            child_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{block_id}/{name}")) if block_id else ""
            collect_form_blocks(child_block, value.get(name), child_id, found)
    return found


def handle_page_request(page, request):
    """Mark the page's form blocks; handle a submission to one. A response, or None."""
    found = find_form_blocks(page)
    if not found or request.method != "POST":
        return None
    block_id = request.POST.get(MARKER_FIELD)
    if block_id not in found:
        return None
    block, value = found[block_id]
    return handle_submission(page, request, block, value, block_id)


def handle_submission(page, request, block, value, block_id):
    """Validate and record one POST for ``block``; None means "render the page" (errors)."""
    reason = spam.trap_reason(request.POST, form_prefix(block_id), block_id)
    if reason:
        spam.log_caught(reason)
        return success_redirect(request, block_id)
    form = block.get_form(value, block_id, data=request.POST)
    if not form.is_valid():
        forms = getattr(request, "wagtail_guests_forms", {})
        request.wagtail_guests_forms = {**forms, block_id: form}
        return None
    if spam.rate_limited(request):
        spam.log_caught(spam.RATE_LIMIT)
        return success_redirect(request, block_id)

    from .actions import record_submission

    record_submission(
        **form.record_kwargs(),
        page=page,
        block_id=block_id,
        site=Site.find_for_request(request),
        language=current_language(),
        notify=value.get("notification_email") or "",
    )
    return success_redirect(request, block_id)


def success_redirect(request, block_id):
    """303 to the page, showing the block's success message."""
    query = urlencode({SENT_PARAM: block_id})
    response = HttpResponseRedirect(f"{request.path}?{query}#{anchor_id(block_id)}")
    response.status_code = 303
    return response


def on_serve_page(next_serve):
    """``on_serve_page`` hook, registered inside Wagtail's view-restriction check."""

    def serve(page, request, args, kwargs):
        response = handle_page_request(page, request)
        if response is not None:
            return response
        return next_serve(page, request, args, kwargs)

    return serve


def before_serve_page(page, request, serve_args, serve_kwargs):
    """``before_serve_page`` hook, for Wagtail versions without ``on_serve_page``."""
    return handle_page_request(page, request)

"""The payload of the "imported" timeline entry that an import writes for each guest of the
file (``Writer.insert_activities``), as JSON text."""

from __future__ import annotations

import json

from .bulk import EncodedJson
from .targets import Target


class ImportedPayload:
    """The payload of a guest's "imported" timeline entry, as JSON text::

        {"file": "clients.csv", "rows": [2, 7], "new": true, "filled": ["phone"],
         "differences": ["city"], "notes": "…", "consents": [{"record": 3, "given": true}],
         "tags": [{"tag": 1, "name": "VIP"}]}

    (only ``file``, ``rows`` and ``new`` always). Written directly: ``json.dumps`` of a dict
    per entry was most of the Python time of an import's timeline rows (2.6 µs of each of
    100,000), and the database waited for it. Free text (the file name, notes, tag names)
    is still encoded by ``json.dumps``; the rest are numbers, booleans and field names."""

    def __init__(self, file_name: str, tag_of):
        self.head = '{"file": ' + json.dumps(file_name) + ', "rows": ['
        self.tag_of = tag_of  # a plan's tag (a Tag, or a new tag's key): the Tag
        self.tag_text: dict = {}  # Tag or key: its {"tag": …, "name": …}

    def __call__(self, target: Target, consents) -> EncodedJson:
        """``consents``: the target's ``(record id, guest id, given)``."""
        parts = [self.head, ", ".join(map(str, target.rows[:20])), "]"]
        parts.append(', "new": true' if target.created else ', "new": false')
        if target.filled:
            parts.append(', "filled": ' + json.dumps(list(target.filled)))
        if target.differences and not target.created:
            parts.append(', "differences": ' + json.dumps(list(target.differences)))
        if target.notes:
            parts.append(', "notes": ' + json.dumps("\n".join(target.notes)))
        if consents:
            given = ", ".join(
                f'{{"record": {pk}, "given": {"true" if yes else "false"}}}'
                for pk, _guest, yes in consents
            )
            parts.append(f', "consents": [{given}]')
        if target.tags:
            parts.append(', "tags": [' + ", ".join(self._tag(tag) for _row, tag in target.tags))
            parts.append("]")
        parts.append("}")
        return EncodedJson("".join(parts))

    def _tag(self, tag) -> str:
        text = self.tag_text.get(tag)
        if text is None:
            added = self.tag_of(tag)
            text = json.dumps({"tag": added.pk, "name": added.name})
            self.tag_text[tag] = text
        return text

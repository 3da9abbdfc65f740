"""JSON API for the registers (/api/v1/registers/).

No endpoints yet: the media, documents, carry-outs and exports had none when they lived in the approvals
app, and adding some is a change of what the API offers, not part of moving them. They come with the one
policy module (issue 11), so that each endpoint is decided the same way as its page.
"""

from __future__ import annotations

from ninja import Router
from ninja.security import django_auth

PREFIX = "registers"
router = Router(tags=["registers"], auth=django_auth)

"""Reading the registers: media, carry-outs, documents, and a user's own export copies."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import CarryOut, Document, Medium, TemporaryCopy


def media() -> QuerySet[Medium]:
    return Medium.objects.select_related("custodian")


def carry_outs() -> QuerySet[CarryOut]:
    return CarryOut.objects.select_related("medium", "requested_by", "approval")


def documents() -> QuerySet[Document]:
    return Document.objects.all()


def copies_of(user) -> QuerySet[TemporaryCopy]:
    return TemporaryCopy.objects.filter(created_by=user)

from ninja import Router
from ninja.security import django_auth

PREFIX = "audits"
router = Router(tags=["audits"], auth=django_auth)

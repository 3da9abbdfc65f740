from ninja import Router
from ninja.security import django_auth

PREFIX = "vendors"
router = Router(tags=["vendors"], auth=django_auth)

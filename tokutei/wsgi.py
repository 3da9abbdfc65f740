"""The WSGI application for any WSGI server (gunicorn, waitress, mod_wsgi, IIS + wfastcgi).

X-Forwarded-* headers are kept only from the proxy addresses in TOKUTEI_FORWARDED_ALLOW_IPS.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tokutei.settings")
_django = get_wsgi_application()

from django.conf import settings  # noqa: E402

from tokutei.ops.serve import TrustedProxyHeaders  # noqa: E402

application = TrustedProxyHeaders(_django, settings.SERVE_FORWARDED_ALLOW_IPS)

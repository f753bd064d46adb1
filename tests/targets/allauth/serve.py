"""Creates the database and serves the app: `python serve.py 127.0.0.1:PORT`.
Started by tests/allauth.rs with the harness's SMTP sink in ALLAUTH_SMTP_*."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")

import django  # noqa: E402
from django.core.management import call_command  # noqa: E402

django.setup()
call_command("migrate", verbosity=0, interactive=False)
call_command("runserver", sys.argv[1], use_reloader=False, use_threading=True, skip_checks=True)

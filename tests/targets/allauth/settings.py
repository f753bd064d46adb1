"""A minimal Django project around django-allauth's headless API (app
clients), configured the way its documentation shows, sending its mail to
the harness's SMTP sink. Nothing here changes how allauth authenticates;
every setting is a documented one, and each is explained."""
import os

BASE_DIR = os.path.dirname(os.path.abspath(__file__))
SECRET_KEY = os.environ.get("ALLAUTH_SECRET_KEY", "conformance-only-not-a-secret")
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "urls"
USE_TZ = True

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "allauth",
    "allauth.account",
    "allauth.headless",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]
AUTHENTICATION_BACKENDS = ["allauth.account.auth_backends.AuthenticationBackend"]
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True}]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("ALLAUTH_DB", os.path.join(BASE_DIR, "db.sqlite3")),
    }
}

# Mail goes to the harness's SMTP sink.
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = os.environ.get("ALLAUTH_SMTP_HOST", "127.0.0.1")
EMAIL_PORT = int(os.environ.get("ALLAUTH_SMTP_PORT", "2525"))
DEFAULT_FROM_EMAIL = "accounts@allauth.conformance.test"

# Headless only, for mobile apps: the X-Session-Token flow.
HEADLESS_ONLY = True
HEADLESS_CLIENTS = ("app",)
# Where mailed links point (the app's own screens).
HEADLESS_FRONTEND_URLS = {
    "account_confirm_email": "https://app.conformance.test/account/verify-email/{key}",
    "account_reset_password": "https://app.conformance.test/account/password/reset",
    "account_reset_password_from_key": "https://app.conformance.test/account/password/reset/key/{key}",
    "account_signup": "https://app.conformance.test/account/signup",
}

# Three documented set-ups, one per run (ALLAUTH_MODE):
# - "password": accounts are an e-mail address and a password (no e-mail
#   verification), with password reset by mailed link;
# - "jwt": the same accounts, app clients given allauth's JWT access tokens
#   (HEADLESS_TOKEN_STRATEGY) instead of session tokens;
# - "code": passwordless accounts, signed up by the code of a mandatory
#   e-mail verification and signed in by mailed code.
MODE = os.environ.get("ALLAUTH_MODE", "password")
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
if MODE == "code":
    ACCOUNT_SIGNUP_FIELDS = ["email*"]
    ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = True
else:
    ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
    ACCOUNT_EMAIL_VERIFICATION = "none"
# Every request of the harness comes from one address, 127.0.0.1: allauth's
# per-IP rate limits would throttle the run itself as one attacker. Its
# per-key and per-user limits stay at allauth's defaults (65.x,
# account/app_settings.py), which is what the guessing scenarios judge.
ACCOUNT_RATE_LIMITS = {
    "change_password": "5/m/user",
    "change_phone": "1/m/user",
    "manage_email": "10/m/user",
    "reset_password": "5/m/key",
    "reauthenticate": "10/m/user",
    "reset_password_from_key": None,
    "signup": None,
    "login": None,
    "request_login_code": "3/m/key",
    "login_failed": "5/300s/key",
    "verify_phone": "1/30s/key",
}

# Lifetimes, short for the run so that the harness can wait them out in
# real time (the profile's `lifetimes:` says the same); Django's and
# allauth's defaults otherwise.
PASSWORD_RESET_TIMEOUT = int(os.environ.get("ALLAUTH_RESET_SECONDS", 3 * 24 * 3600))
ACCOUNT_LOGIN_BY_CODE_TIMEOUT = int(os.environ.get("ALLAUTH_CODE_SECONDS", 180))
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_TIMEOUT = int(os.environ.get("ALLAUTH_CODE_SECONDS", 900))
SESSION_COOKIE_AGE = int(os.environ.get("ALLAUTH_SESSION_SECONDS", 14 * 24 * 3600))

if MODE == "jwt":
    # allauth's JWT strategy signs RS256 with HEADLESS_JWT_PRIVATE_KEY; a
    # key of its own per start, as a deployment keeps one in its secrets.
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    HEADLESS_TOKEN_STRATEGY = "allauth.headless.tokens.strategies.jwt.JWTTokenStrategy"
    HEADLESS_JWT_PRIVATE_KEY = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )

PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
LOGGING = {"version": 1, "disable_existing_loggers": False}

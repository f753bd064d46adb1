from django.conf import settings
from django.http import JsonResponse
from django.urls import include, path

urlpatterns = [
    path("_allauth/", include("allauth.headless.urls")),
]


def jwks(request):
    """The public key allauth's access tokens verify with, as a JWKS: what a
    deployment publishes for its resource servers (allauth's own jwkkit
    makes the JWK, kid included)."""
    from allauth.core.internal import jwkkit

    jwk, _ = jwkkit.load_jwk_from_pem(settings.HEADLESS_JWT_PRIVATE_KEY)
    return JsonResponse({"keys": [jwk]})


if getattr(settings, "HEADLESS_JWT_PRIVATE_KEY", None):
    urlpatterns.append(path(".well-known/jwks.json", jwks))

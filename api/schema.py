"""The OpenAPI schema (drf-spectacular), with the error answers every endpoint can give."""

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import build_basic_type
from drf_spectacular.types import OpenApiTypes

ERRORS = {
    "400": "A query parameter is malformed (the body names it).",
    "401": "The API key is unknown or revoked, or one is required.",
    "404": "No such object, or an invalid cursor.",
    "429": "Too many requests for this key or address (see Retry-After).",
}


class ApiSchema(AutoSchema):
    def get_auth(self):
        auth = super().get_auth()
        if settings.API_ANONYMOUS_ACCESS and {} not in auth:
            auth.append({})  # a key is optional
        return auth

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if not self.path.startswith("/api/v1/") or self.path.endswith("openapi.json"):
            return responses
        for code, description in ERRORS.items():
            error = self._get_response_for_code(build_basic_type(OpenApiTypes.OBJECT), code)
            error["description"] = description
            responses.setdefault(code, error)
        return responses


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "api.access.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "X-Api-Key",
            "description": "Or `Authorization: Api-Key <key>`. Optional while anonymous"
            " access is on (API_ANONYMOUS_ACCESS), at a lower rate.",
        }

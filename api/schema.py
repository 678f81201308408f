"""The OpenAPI schema (drf-spectacular), with the error answers every endpoint can give."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.plumbing import build_basic_type

ERRORS = {
    "400": "A query parameter is malformed (the body names it).",
    "401": "The API key is unknown or revoked, or one is required.",
    "404": "No such object, or an invalid cursor.",
    "429": "Too many requests for this key or address (see Retry-After).",
}


class ApiSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if not self.path.startswith("/api/v1/") or self.path.endswith("openapi.json"):
            return responses
        for code, description in ERRORS.items():
            error = self._get_response_for_code(build_basic_type(OpenApiTypes.OBJECT), code)
            error["description"] = description
            responses.setdefault(code, error)
        return responses

"""A simulator of Apollo's REST API v1 (api.apollo.io and app.apollo.io/api)."""

from .ratelimit import ApolloRateLimits
from .simulator import RESOURCES, ApolloSimulator

__all__ = ["RESOURCES", "ApolloRateLimits", "ApolloSimulator"]

"""A simulator of the Outreach REST API v2 (JSON:API) for the sandbox and the tests."""

from .resources import RESOURCES
from .simulator import OutreachSimulator

__all__ = ["RESOURCES", "OutreachSimulator"]

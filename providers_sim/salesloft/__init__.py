"""A simulator of the Salesloft REST API v2 (``https://api.salesloft.com/v2``)."""

from .simulator import SalesloftSimulator

__all__ = ["SalesloftSimulator"]

"""The ASGI gateway: request detection, the handler chain, data planes and internal endpoints."""

"""HTTP service: FastAPI app, routes, API schemas."""

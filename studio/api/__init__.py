"""The local HTTP/WebSocket API (FastAPI, served by uvicorn on the engine loop)."""

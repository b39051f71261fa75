"""The WSGI entry point for gunicorn: ``gunicorn … 'queue_server.wsgi:app'``."""
from queue_server import create_app

app = create_app()

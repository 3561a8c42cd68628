"""The portal as production serves it, with a bare Flask route beside it at /_bare/.

The bare route runs in the same gunicorn workers, so its throughput is the ceiling that this
server, this machine and Flask itself put on any page; the benchmark reports each page against it.
"""

from flask import Flask
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from portal import create_app

bare = Flask("bare")


@bare.get("/")
def hello():
    return "ok"


app = create_app()
app.wsgi_app = DispatcherMiddleware(app.wsgi_app, {"/_bare": bare})

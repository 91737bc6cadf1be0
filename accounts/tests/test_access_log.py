"""Issue #8 item 9: gunicorn's access log never holds a resident ID or mobile number typed into a search."""

import io
import logging
from datetime import timedelta
from types import SimpleNamespace

from gunicorn.config import Config

from xingan_training.gunicorn_logging import RedactingLogger

ID_NUMBER = "152201199001011234"
MOBILE = "13812345678"


def test_the_access_log_redacts_ids_and_phones_in_the_request_line_query_and_referrer():
    config = Config()
    config.set("accesslog", "-")
    logger = RedactingLogger(config)
    stream = io.StringIO()
    for handler in logger.access_log.handlers:
        logger.access_log.removeHandler(handler)
    logger.access_log.addHandler(logging.StreamHandler(stream))
    query = f"q={ID_NUMBER}&phone={MOBILE}"
    request = SimpleNamespace(method="GET", path="/classes/", query=query, uri=f"/classes/?{query}",
                              version=(1, 1), headers=[], remote_addr="127.0.0.1")
    environ = {
        "REQUEST_METHOD": "GET", "RAW_URI": f"/classes/?{query}", "PATH_INFO": "/classes/", "QUERY_STRING": query,
        "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1", "HTTP_REFERER": f"http://portal/search?q={ID_NUMBER}",
    }
    response = SimpleNamespace(status="200 OK", status_code=200, sent=10, headers=[], response_length=10)
    logger.access(response, request, environ, timedelta(seconds=0.01))
    line = stream.getvalue()
    assert "GET /classes/?q=152201********1234&phone=138****5678" in line
    assert ID_NUMBER not in line and MOBILE not in line

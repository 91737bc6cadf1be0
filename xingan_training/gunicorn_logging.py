"""gunicorn's access log without personal data: resident ID and mobile numbers in a request line, query string or
referrer (a search box, a filter) are redacted like every other log line (logging_filters.redact).

Use: ``gunicorn --logger-class xingan_training.gunicorn_logging.RedactingLogger …`` (bin/run-local does).
"""

from gunicorn.glogging import Logger

from .logging_filters import redact

# gunicorn access-log atoms that carry what the client typed: request line, path, query string, referrer.
CLIENT_TEXT_ATOMS = ("r", "U", "q", "f", "{raw_uri}e")


class RedactingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in CLIENT_TEXT_ATOMS:
            if isinstance(atoms.get(key), str):
                atoms[key] = redact(atoms[key])
        return atoms

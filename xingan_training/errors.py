class ServiceError(Exception):
    """A refusal by a service: the state or the actor does not allow the act. str() is shown to the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

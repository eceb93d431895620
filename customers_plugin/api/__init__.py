"""The REST API (flask-smorest blueprints). Placeholder until the API module lands."""


def register_api(app, state):
    return None

"""The sanic_jwt_extended adapter suite."""

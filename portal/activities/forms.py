from flask_wtf import FlaskForm


class JoinForm(FlaskForm):
    """Joining after checking the details: nothing to fill in, only the CSRF token."""

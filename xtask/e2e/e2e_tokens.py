"""An access token whose expiry is checked 40 s in the future: a server clock running
ahead. Access tokens from the e2e server (60 s lifetime) are refused 20 s after issue."""
from datetime import timedelta

from rest_framework_simplejwt.tokens import AccessToken

SKEW = timedelta(seconds=40)


class SkewedAccessToken(AccessToken):
    def check_exp(self, claim="exp", current_time=None):
        if current_time is None:
            current_time = self.current_time + SKEW
        return super().check_exp(claim, current_time)

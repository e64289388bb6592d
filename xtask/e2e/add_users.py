"""Adds users to the end-to-end database, each with a known legacy token, as members
of the first user's organization. Run with the server's settings and data directory:

    add_users.py EMAIL:TOKEN [EMAIL:TOKEN ...]

The conformance sweep acts as such a user for what changes a user's own credentials
(resetting its legacy token, personal access tokens), so other tests keep theirs.
"""
import sys

import django

django.setup()

from organizations.models import Organization  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402
from users.models import User  # noqa: E402

organization = Organization.objects.order_by("id").first()
for pair in sys.argv[1:]:
    email, token = pair.split(":", 1)
    user = User.objects.create_user(email=email, password=token)
    organization.add_user(user)
    user.active_organization = organization
    user.save()
    Token.objects.filter(user=user).delete()
    Token.objects.create(user=user, key=token)
    print(f"added {email}")

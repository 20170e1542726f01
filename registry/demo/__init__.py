"""``registry demo``: a realistic sample registry and a walk through the users' stories.

``data`` holds the cast (accreditation bodies, certification bodies, what client
names, trades and standards look like); ``plan`` turns a seed and the registry's
today into every certificate's lifecycle, each write with its effective date and
the month-end upload that records it; ``builder`` writes the plan's history
through the application, batch by batch, with the registry's clock set to each
upload; ``walk`` asks the three users' questions over the real gRPC API.
"""

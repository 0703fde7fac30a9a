"""The web pages: a storefront (``/``) and an admin dashboard (``/admin``) over the public HTTP API.

The pages are server-rendered shells; their JavaScript calls ``/v1/...`` with ``fetch`` (every endpoint
in one place, ``static/api.js``). See :func:`shopsense.web.pages.install`.
"""

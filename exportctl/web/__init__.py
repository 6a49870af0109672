"""The web view (``exportctl serve``): a second face on the same library.

Officers browse lists and versions, look codes up, screen an uploaded item master,
read what changed and sign off, in a browser, in Korean or English. Every page calls
the library's API (:mod:`exportctl.api`); nothing here holds a rule of its own.

The modules, each importing only those listed before it:

* :mod:`~exportctl.web.settings`: what a running view is told (no environment reads);
* :mod:`~exportctl.web.csrf`: the form token every form carries;
* :mod:`~exportctl.web.render`: pages from the Jinja2 templates, values escaped;
* :mod:`~exportctl.web.jobs`: uploads and the reports made from them, and downloads;
* :mod:`~exportctl.web.auth`: who is asking (token, log-ins, sessions, roles);
* :mod:`~exportctl.web.lang`: the request's language;
* :mod:`~exportctl.web.runner`: screening away from the pages' thread;
* :mod:`~exportctl.web.routes`: the pages, by concern;
* :mod:`~exportctl.web.app`: :func:`~exportctl.web.app.create_app` puts them together;
* :mod:`~exportctl.web.server`: serving it with uvicorn.

Needs the ``web`` extra (``pip install 'exportctl[web]'``); nothing imports this
package unless the view is served.
"""

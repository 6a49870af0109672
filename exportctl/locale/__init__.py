"""The message catalogues (see :mod:`exportctl.i18n`)."""

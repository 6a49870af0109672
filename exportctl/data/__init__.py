"""Reference data shipped with exportctl (HS nomenclature); see ``NOTICE.md``."""

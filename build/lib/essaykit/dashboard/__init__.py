"""The editors' dashboard: where each essay stands (`essaykit status`), the
standalone status page with its chart, and the report of what changed since
the last build."""

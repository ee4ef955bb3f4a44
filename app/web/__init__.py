"""The shared web layer: templates, CSRF, forms and flash messages."""

"""Background jobs for dispatch. Thin: each calls a service and is safe to repeat."""

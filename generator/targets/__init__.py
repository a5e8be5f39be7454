"""Output targets: one module per generated artefact family, each a pure render(model)."""

"""Where heavy models run: ModelHost (thread or process), supervision, model file registry."""

"""Settings: pydantic-settings models per area, stored in one TOML file; secrets in the keyring."""

"""SQLite storage: one DB thread, WAL, migrations, typed repositories."""

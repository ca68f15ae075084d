"""``python -m studio`` runs the command-line entry point."""

from studio.app.cli import main

if __name__ == "__main__":
    main()

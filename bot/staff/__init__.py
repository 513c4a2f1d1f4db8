"""Staff work on the knowledge base, shared by the admin web, the CLI and the chat commands:
accounts, audited edits, unanswered questions, figures, and live reload."""

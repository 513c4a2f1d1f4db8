"""tthc-bot: answers citizens' questions about administrative procedures."""

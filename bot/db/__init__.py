"""Storage: SQLAlchemy models, engine, repository queries and Alembic migrations."""

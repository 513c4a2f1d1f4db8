"""The staff admin web at /admin (sqladmin): procedures, questions, ratings, unanswered
questions and the audit log, behind staff sign-in with roles and CSRF-protected forms."""

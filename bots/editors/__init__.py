"""The editors' report: what people asked that the content could not answer, and what to fix."""

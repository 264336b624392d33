"""The demo college: seed data built with the schema and rules of workflows/, never copying them."""

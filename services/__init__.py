"""Use cases shared by the pages and the command line: read, decide with workflows, write, answer."""

"""The rules of the workbench, as pure functions over tables. No I/O here."""

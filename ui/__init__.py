"""What every page shares: the live workbook, who is signed in, the language, the page guard."""

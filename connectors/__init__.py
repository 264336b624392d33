"""The workbook: one small interface (`Workbook`), two backends, header mapping and cell parsing."""

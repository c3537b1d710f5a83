"""The contract between printing and grading: sheet geometry and the sheet record, imported by render/
and grade/ and owned by neither."""

"""Writers for change sets, validation findings and screening results."""

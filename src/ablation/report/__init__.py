"""The report layer above both studies: its home page (`home`)."""

"""The report layer, above both studies: the paper comparison (`comparison`: every number and claim the paper states,
beside this run's), the run summary (`summary`), the home page (`home`), and their rules' steps (`steps`)."""

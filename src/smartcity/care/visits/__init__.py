"""Care plans and home visits: visit rhythm, tasks, a worker's route and visit records."""

"""Background work: rq queues, job functions and the periodic schedule."""

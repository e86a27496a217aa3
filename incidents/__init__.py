"""The work: incidents and service requests, their lifecycle, queues and the staff portal."""

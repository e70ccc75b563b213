"""`duban run` and `duban sandbox` put together: the core, every configured chat channel, the
web board and the worker that schedules and sends, in one process."""

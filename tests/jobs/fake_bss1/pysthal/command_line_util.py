from _calls import record


def init_logger(level, loggers):
    record("init_logger", level)

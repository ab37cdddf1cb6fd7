"""One router per resource; each handler checks access through ``deps`` and calls ``live``."""

"""The live service: a mediator, private party rooms, persistence and a tamper-evident log.

Build the application with :func:`backchannel.service.app.create_app`; nothing here reads
files, the environment or the network at import.
"""

# Here rather than in settings.py so the command line can show it without the web extra.
DEFAULT_DATABASE_URL = "sqlite:///backchannel.db"

"""Settings variables tests share."""

#: Argon2 made cheap for tests (production defaults stay as they are).
CHEAP_ARGON2 = {"WBS_ARGON2_TIME_COST": "1", "WBS_ARGON2_MEMORY_KIB": "1024"}

"""``python -m twin.analog.native``: build the native delivery library now.

Prints the library's path; without a compiler (or if compiling fails) one line on
stderr and exit code 2 (the emulator then warns and uses the pure-JAX delivery).
"""

import sys

from twin.analog.native.build import build
from twin.errors import TwinError

if __name__ == "__main__":
    try:
        print(build())  # noqa: T201 (the command's one line of output)
    except (TwinError, OSError) as err:
        print(f"twin.analog.native: {err}".splitlines()[0], file=sys.stderr)  # noqa: T201
        sys.exit(2)

"""``python -m twin.analog.native``: build the native delivery library now."""

from twin.analog.native.build import build

if __name__ == "__main__":
    print(build())  # noqa: T201 (the command's one line of output)

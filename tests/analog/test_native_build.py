"""The native library's cache name changes with everything its build depends on.

A home folder shared by hosts of another architecture, compiler, compiler version,
JAX or jaxlib must never hand one host another's build: each of these (and the
source, the flags and, for CPU-tuned flags, the CPU) changes the library's name.
"""

import importlib
import platform
import stat

import jax
import jaxlib
import pytest

#: The module (``twin.analog.native.build`` is also the name of its function).
build = importlib.import_module("twin.analog.native.build")

CXX = "c++"


@pytest.fixture(autouse=True)
def fixed_host(monkeypatch, tmp_path):
    """A fixed compiler version and CPU, a cache folder of the test's own."""
    monkeypatch.setenv("TWIN_NATIVE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(build, "compiler_version", lambda cxx: f"{cxx} 12.2.0")
    monkeypatch.setattr(build, "cpu_model", lambda: "model name: A\nflags: sse2 avx2")


def _change(monkeypatch, tmp_path, part):
    """Change one thing the build depends on."""
    if part == "machine":
        monkeypatch.setattr(platform, "machine", lambda: "aarch64")
    elif part == "system":
        monkeypatch.setattr(platform, "system", lambda: "Darwin")
    elif part == "jax":
        monkeypatch.setattr(jax, "__version__", "0.0.1")
    elif part == "jaxlib":
        monkeypatch.setattr(jaxlib, "__version__", "0.0.1")
    elif part == "compiler version":
        monkeypatch.setattr(build, "compiler_version", lambda cxx: f"{cxx} 14.1.0")
    elif part == "flags":
        monkeypatch.setattr(build, "FLAGS", (*build.FLAGS, "-O2"))
    elif part.startswith("source"):  # "source <i>": the i-th source alone
        i = int(part.split()[1])
        sources = list(build.SOURCES)
        sources[i] = tmp_path / sources[i].name
        sources[i].write_text(build.SOURCES[i].read_text() + "\n// changed\n")
        monkeypatch.setattr(build, "SOURCES", tuple(sources))
    else:
        raise AssertionError(part)


@pytest.mark.parametrize(
    "part",
    [
        "machine",
        "system",
        "jax",
        "jaxlib",
        "compiler version",
        "flags",
        "source 0",
        "source 1",
    ],
)
def test_the_name_changes_with_each_part_of_the_build(monkeypatch, tmp_path, part):
    before = build.library_path(CXX)
    _change(monkeypatch, tmp_path, part)
    after = build.library_path(CXX)
    assert after != before
    assert after.parent == before.parent


def test_the_same_host_gets_the_same_name():
    assert build.library_path(CXX) == build.library_path(CXX)
    assert build.library_path(CXX) != build.library_path("clang++")


def test_the_cpu_counts_only_for_cpu_tuned_flags(monkeypatch):
    def with_cpu(model):
        monkeypatch.setattr(build, "cpu_model", lambda: model)
        return build.library_path(CXX)

    assert with_cpu("model name: A") == with_cpu("model name: B")  # no rebuild
    monkeypatch.setattr(build, "FLAGS", (*build.FLAGS, "-march=native"))
    assert with_cpu("model name: A") != with_cpu("model name: B")


def test_the_compiler_version_is_what_the_compiler_prints(tmp_path, monkeypatch):
    monkeypatch.undo()  # the real compiler_version
    fake = tmp_path / "fake-c++"
    fake.write_text("#!/bin/sh\necho 'fake c++ 1.2.3'\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    assert build.compiler_version(str(fake)) == "fake c++ 1.2.3"
    assert build.compiler_version(str(tmp_path / "missing")) == ""


@pytest.mark.skipif(platform.system() != "Linux", reason="reads /proc/cpuinfo")
def test_the_cpu_model_names_the_model_and_its_features(monkeypatch):
    monkeypatch.undo()  # the real cpu_model
    model = build.cpu_model()
    assert any(line.split(":")[0].strip() in ("flags", "Features") for line in
               model.splitlines())  # fmt: skip

from _calls import Stub

Enum = Stub("Enum")
iter_all = Stub("iter_all")

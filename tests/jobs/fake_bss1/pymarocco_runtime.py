from _calls import Stub

Runtime = Stub("Runtime")

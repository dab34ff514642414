from _calls import Stub

PyMarocco = Stub("PyMarocco")
Defects = Stub("Defects")

from _calls import Stub

Wafer = Stub("Wafer")
FGBlockOnHICANN = Stub("FGBlockOnHICANN")

from _calls import Stub

HICANN = Stub("HICANN")

// Event delivery into the emulator's delay ring buffer, for XLA's CPU backend.
//
// Two XLA FFI handlers, each for float32 and float64 buffers:
//
//   twin_deliver_spikes: every set bit of spikes (nb, n) pushes its unit's row of the
//     push table into buf (nb, slots, cols) at slot (stamp + delay) % slots.
//   twin_deliver_events: every valid event (variant v, index e) of units / stamps /
//     valid (nb, e) pushes row units[v, e] at slot (stamps[v, e] + delay) % slots.
//
// The additions happen in exactly the order of the pure-JAX reference
// (twin.analog.kernel._deliver, a scatter-add whose updates are ordered by variant,
// then by unit or event, then by the row's synapses), so both paths round alike and
// give identical spikes. Invalid events add nothing in the reference (weight x 0)
// and are skipped here, as is the tables' zero-weight padding (+0.0 changes no
// sum). Preconditions, guaranteed by twin.analog.simulate (not checked per synapse):
// 0 <= target < cols and 1 <= delay < slots for every table entry, padding included.
#include <cstdint>
#include <cstring>

#include "xla/ffi/api/ffi.h"

namespace ffi = xla::ffi;

namespace {

template <typename T>
struct Ring {
  T* data;
  int64_t nb, slots, cols;
};

template <ffi::DataType D>
Ring<ffi::NativeType<D>> ring(ffi::BufferR3<D> in, ffi::ResultBufferR3<D> out) {
  auto dims = in.dimensions();
  auto* dst = out->typed_data();
  if (dst != in.typed_data()) {  // not aliased: start from a copy of the input
    std::memcpy(dst, in.typed_data(), in.size_bytes());
  }
  return {dst, dims[0], dims[1], dims[2]};
}

template <typename T>
inline void push_row(const Ring<T>& r, int64_t variant, int64_t stamp, int64_t unit,
                     int64_t k, const int32_t* target, const T* weight,
                     const int32_t* delay, const int32_t* length) {
  // Preconditions (the caller's, twin.analog.simulate): 0 <= target < cols and
  // 1 <= delay < slots for every entry of the table. Only the row's `length`
  // synapses are added (the padding after them would add +0.0, which changes no
  // sum); a row is sorted by delay (twin.analog.tables), so each run of one delay
  // is added to one slot.
  T* base = r.data + variant * r.slots * r.cols;
  const int32_t* tg = target + unit * k;
  const T* wt = weight + unit * k;
  const int32_t* dl = delay + unit * k;
  const int64_t first = stamp % r.slots;
  const int64_t wrap = r.slots - first;
  const int64_t m = length[unit];
  for (int64_t j = 0; j < m;) {
    const int32_t d = dl[j];
    T* row = base + (d < wrap ? first + d : first + d - r.slots) * r.cols;
    for (; j < m && dl[j] == d; ++j) row[tg[j]] += wt[j];
  }
}

template <ffi::DataType D>
ffi::Error DeliverSpikes(ffi::BufferR3<D> buf, ffi::BufferR2<ffi::PRED> spikes,
                         ffi::BufferR0<ffi::S32> stamp,
                         ffi::BufferR2<ffi::S32> target, ffi::BufferR2<D> weight,
                         ffi::BufferR2<ffi::S32> delay, ffi::BufferR1<ffi::S32> length,
                         ffi::ResultBufferR3<D> out) {
  auto r = ring<D>(buf, out);
  const int64_t n = spikes.dimensions()[1];
  const int64_t k = target.dimensions()[1];
  if (spikes.dimensions()[0] != r.nb || target.dimensions()[0] < n) {
    return ffi::Error::InvalidArgument("twin_deliver_spikes: shapes do not match");
  }
  const bool* s = spikes.typed_data();
  const int64_t t = *stamp.typed_data();
  for (int64_t v = 0; v < r.nb; ++v) {
    const bool* sv = s + v * n;
    for (int64_t i = 0; i < n; ++i) {
      if (sv[i]) {
        push_row(r, v, t, i, k, target.typed_data(), weight.typed_data(),
                 delay.typed_data(), length.typed_data());
      }
    }
  }
  return ffi::Error::Success();
}

template <ffi::DataType D>
ffi::Error DeliverEvents(ffi::BufferR3<D> buf, ffi::BufferR2<ffi::S32> units,
                         ffi::BufferR2<ffi::S32> stamps,
                         ffi::BufferR2<ffi::PRED> valid,
                         ffi::BufferR2<ffi::S32> target, ffi::BufferR2<D> weight,
                         ffi::BufferR2<ffi::S32> delay, ffi::BufferR1<ffi::S32> length,
                         ffi::ResultBufferR3<D> out) {
  auto r = ring<D>(buf, out);
  const int64_t e = units.dimensions()[1];
  const int64_t rows = target.dimensions()[0];
  const int64_t k = target.dimensions()[1];
  if (units.dimensions()[0] != r.nb) {
    return ffi::Error::InvalidArgument("twin_deliver_events: shapes do not match");
  }
  const int32_t* u = units.typed_data();
  const int32_t* st = stamps.typed_data();
  const bool* ok = valid.typed_data();
  for (int64_t v = 0; v < r.nb; ++v) {
    for (int64_t i = v * e; i < (v + 1) * e; ++i) {
      if (ok[i] && u[i] >= 0 && u[i] < rows) {
        push_row(r, v, st[i], u[i], k, target.typed_data(), weight.typed_data(),
                 delay.typed_data(), length.typed_data());
      }
    }
  }
  return ffi::Error::Success();
}

}  // namespace

#define TWIN_SPIKES(NAME, D)                                  \
  XLA_FFI_DEFINE_HANDLER_SYMBOL(NAME, DeliverSpikes<D>,       \
                                ffi::Ffi::Bind()              \
                                    .Arg<ffi::BufferR3<D>>() \
                                    .Arg<ffi::BufferR2<ffi::PRED>>() \
                                    .Arg<ffi::BufferR0<ffi::S32>>() \
                                    .Arg<ffi::BufferR2<ffi::S32>>() \
                                    .Arg<ffi::BufferR2<D>>() \
                                    .Arg<ffi::BufferR2<ffi::S32>>() \
                                    .Arg<ffi::BufferR1<ffi::S32>>() \
                                    .Ret<ffi::BufferR3<D>>());

#define TWIN_EVENTS(NAME, D)                                  \
  XLA_FFI_DEFINE_HANDLER_SYMBOL(NAME, DeliverEvents<D>,       \
                                ffi::Ffi::Bind()              \
                                    .Arg<ffi::BufferR3<D>>() \
                                    .Arg<ffi::BufferR2<ffi::S32>>() \
                                    .Arg<ffi::BufferR2<ffi::S32>>() \
                                    .Arg<ffi::BufferR2<ffi::PRED>>() \
                                    .Arg<ffi::BufferR2<ffi::S32>>() \
                                    .Arg<ffi::BufferR2<D>>() \
                                    .Arg<ffi::BufferR2<ffi::S32>>() \
                                    .Arg<ffi::BufferR1<ffi::S32>>() \
                                    .Ret<ffi::BufferR3<D>>());

TWIN_SPIKES(TwinDeliverSpikesF32, ffi::F32)
TWIN_SPIKES(TwinDeliverSpikesF64, ffi::F64)
TWIN_EVENTS(TwinDeliverEventsF32, ffi::F32)
TWIN_EVENTS(TwinDeliverEventsF64, ffi::F64)

// The emulator's steps of one block, for XLA's CPU backend: one call per block.
//
// twin_advance_block advances every variant of a batch by `block_steps` steps: the
// arriving input, the neurons, the spike count, the first non-finite step, the
// delivery of the step's spikes into the delay ring buffer, the next step's arriving
// slot and the packed spike words. It computes what the pure-JAX step of
// twin.analog.kernel computes (twin.analog.adex for conductance-based neurons: one
// RK4 step, or RK4 sub-steps for every neuron in a step where one is stiff;
// twin.analog.psc for current-based ones), operation by operation in the same order,
// so that with XLA compiled without fused multiply-adds (twin.cpu_arithmetic) both
// round alike and give identical spikes. Covered: exponential synapses, no
// exponential term, no saturation, no short-term plasticity, no rate-limit stages, no
// current stimuli, no traces (twin.analog.fast.eligible sends every other network to
// the reference). A sub-step beyond RK4's stability (stiffness per sub-step > 2.5) is
// an exponential-Euler step in the reference, with an exp() that only XLA computes:
// such steps are counted in `beyond`, and the caller then runs the reference.
//
// Parameters per neuron: the rows of `params`, in the order of Row below and of
// twin.analog.native.step.ROWS (CURRENT: 1 for a current-based neuron, else 0).
// `table` (MAX_SUBSTEPS, 2, n): exp(-h / 2 tau_syn) of a sub-step h = dt / k, for
// k = 1 .. MAX_SUBSTEPS, excitatory then inhibitory, computed by XLA as the
// reference computes them.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "xla/ffi/api/ffi.h"

namespace ffi = xla::ffi;

namespace {

// Inlined into the vectorised loops, so that they are compiled for the loop's
// instruction set (target_clones below).
#define TWIN_INLINE inline __attribute__((always_inline))

enum Row {
  G_LEAK, V_REST, E_REV_E, E_REV_I, CM, I_OFFSET, A, TAU_W, V_RESET, V_SPIKE, B,
  V_V, V_IE, V_II, V_I0, I_IE, I_II, V_THRESH, DECAY_E, DECAY_I, CURRENT, N_ROWS
};

// twin.analog.adex: RK4_STIFFNESS, MAX_SUBSTEPS, _RK4_STABLE.
constexpr double RK4_STIFFNESS = 0.5;
constexpr int MAX_SUBSTEPS = 64;
constexpr double RK4_STABLE = 2.5;

// W lanes of T: GCC vector types, so that the arithmetic is element-wise IEEE
// (the same roundings in every lane and for W = 1) and the loop over neurons is
// vectorised whatever the compiler's cost model thinks. Masks are the integer
// vectors comparisons return; `m ? a : b` selects per lane.
template <typename T, int W>
struct Lanes {
  typedef T V __attribute__((vector_size(sizeof(T) * W)));
  typedef int32_t I __attribute__((vector_size(sizeof(int32_t) * W)));
  TWIN_INLINE static V load(const T* p) {
    V v;
    std::memcpy(&v, p, sizeof v);
    return v;
  }
  TWIN_INLINE static void store(T* p, V v) { std::memcpy(p, &v, sizeof v); }
  TWIN_INLINE static V load_int(const int32_t* p) {  // small integers, exact in T
    I x;
    std::memcpy(&x, p, sizeof x);
    return __builtin_convertvector(x, V);
  }
  TWIN_INLINE static void store_int(int32_t* p, V v) {
    const I x = __builtin_convertvector(v, I);
    std::memcpy(p, &x, sizeof x);
  }
  TWIN_INLINE static V all(T x) {  // x in every lane
    V v;
    for (int k = 0; k < W; ++k) v[k] = x;
    return v;
  }
};

// The conductance-based neuron's parameters, W neurons from i on.
template <typename T, int W>
struct Cond {
  using L = Lanes<T, W>;
  using V = typename L::V;
  V g_leak, v_rest, e_rev_e, e_rev_i, cm, i_offset, a, tau_w, v_reset, v_spike, b,
      decay_e, decay_i;
  TWIN_INLINE Cond(const T* const* p, int64_t i)
      : g_leak(L::load(p[G_LEAK] + i)), v_rest(L::load(p[V_REST] + i)),
        e_rev_e(L::load(p[E_REV_E] + i)), e_rev_i(L::load(p[E_REV_I] + i)),
        cm(L::load(p[CM] + i)), i_offset(L::load(p[I_OFFSET] + i)),
        a(L::load(p[A] + i)), tau_w(L::load(p[TAU_W] + i)),
        v_reset(L::load(p[V_RESET] + i)), v_spike(L::load(p[V_SPIKE] + i)),
        b(L::load(p[B] + i)), decay_e(L::load(p[DECAY_E] + i)),
        decay_i(L::load(p[DECAY_I] + i)) {}
};

// twin.analog.adex.adex_rhs without the exponential term and saturation.
template <typename T, int W, typename V = typename Lanes<T, W>::V>
TWIN_INLINE void rhs(const Cond<T, W>& q, V v, V w, V ge, V gi, V* dv, V* dw) {
  const V i_total = -q.g_leak * (v - q.v_rest) - ge * (v - q.e_rev_e) -
                    gi * (v - q.e_rev_i) - w + q.i_offset;
  *dv = i_total / q.cm;
  *dw = (q.a * (v - q.v_rest) - w) / q.tau_w;
}

// One classical RK4 step of length h (twin.analog.adex._rk4) with the conductances
// at its start, middle and end; `half` and `sixth` are the reference's 0.5 h and
// h / 6, rounded as it rounds them. The right-hand side sees v_reset while
// refractory (`ref`).
template <typename T, int W, typename V = typename Lanes<T, W>::V, typename M>
TWIN_INLINE void rk4(const Cond<T, W>& q, M ref, V v0, V w0, V ge0, V gi0, V ge_half,
                V gi_half, V ge_end, V gi_end, V h, V half, V sixth, V* v, V* w) {
  const V two = Lanes<T, W>::all(2);
  V k1v, k1w, k2v, k2w, k3v, k3w, k4v, k4w;
  rhs(q, ref ? q.v_reset : v0, w0, ge0, gi0, &k1v, &k1w);
  const V v1 = v0 + half * k1v, w1 = w0 + half * k1w;
  rhs(q, ref ? q.v_reset : v1, w1, ge_half, gi_half, &k2v, &k2w);
  const V v2 = v0 + half * k2v, w2 = w0 + half * k2w;
  rhs(q, ref ? q.v_reset : v2, w2, ge_half, gi_half, &k3v, &k3w);
  const V v3 = v0 + h * k3v, w3 = w0 + h * k3w;
  rhs(q, ref ? q.v_reset : v3, w3, ge_end, gi_end, &k4v, &k4w);
  *v = v0 + sixth * (k1v + two * k2v + two * k3v + k4v);
  *w = w0 + sixth * (k1w + two * k2w + two * k3w + k4w);
}

// dt (g_L + g_E + g_I) / C_m, as the reference's stiffness.
template <typename T, int W, typename V = typename Lanes<T, W>::V>
TWIN_INLINE V stiffness(const Cond<T, W>& q, V dt, V ge, V gi) {
  return dt * (q.g_leak + ge + gi) / q.cm;
}

// twin.analog.adex._substeps for one neuron: n = ceil(stiffness / 0.5) RK4
// sub-steps (1 to MAX_SUBSTEPS) of h = dt / n, with the decays of `table`. Returns
// whether the reference's sub-step is an exponential-Euler one (not computed here).
template <typename T>
inline bool substeps(const Cond<T, 1>& q, const T* table, int64_t n_neurons,
                     int64_t i, typename Lanes<T, 1>::V ref_mask, T dt, T v0, T w0,
                     T ge, T gi, T* v, T* w) {
  using L = Lanes<T, 1>;
  using V = typename L::V;
  const T s = stiffness(q, L::all(dt), L::all(ge), L::all(gi))[0];
  T n = std::ceil(s / static_cast<T>(RK4_STIFFNESS));
  n = std::isfinite(n) ? std::min(std::max(n, T(1)), T(MAX_SUBSTEPS)) : T(1);
  const int k_max = static_cast<int>(n);
  const T h = dt / n;
  const T de = table[((k_max - 1) * 2 + 0) * n_neurons + i];
  const T di = table[((k_max - 1) * 2 + 1) * n_neurons + i];
  const T half = static_cast<T>(0.5) * h, sixth = h / static_cast<T>(6);
  const T de2 = de * de, di2 = di * di;
  const auto ref = ref_mask != L::all(0);
  V vv = L::all(v0), ww = L::all(w0);
  for (int k = 0; k < k_max; ++k) {
    const T ge_half = ge * de, gi_half = gi * di;
    rk4(q, ref, vv, ww, L::all(ge), L::all(gi), L::all(ge_half), L::all(gi_half),
        L::all(ge_half * de), L::all(gi_half * di), L::all(h), L::all(half),
        L::all(sixth), &vv, &ww);
    ge = ge * de2;
    gi = gi * di2;
  }
  *v = vv[0];
  *w = ww[0];
  return s / n > static_cast<T>(RK4_STABLE);
}

// The kinds of neuron a network has: conductance-based, current-based or both.
enum Kinds { COND, CURR, MIXED };

// One variant's state and arriving input.
template <typename T>
struct Variant {
  T *v, *w, *ge, *gi;
  int32_t *refrac, *counts, *bad;
  T* arriving;
  T se, si;  // factors on the arriving excitatory and inhibitory weights
};

// The step's settings shared by every neuron.
template <typename T>
struct StepCtx {
  const T* const* p;
  const int32_t* refrac_steps;
  const T* table;  // (MAX_SUBSTEPS, 2, n) sub-step decays
  int64_t n;
  T dt;
};

// W neurons from i on after this step's arrivals: g_E, g_I (current-based
// neurons: their currents) and the conductances the AdEx kernel sees (zero on
// current-based neurons).
template <typename T, int W, Kinds K>
struct Inputs {
  using L = Lanes<T, W>;
  typename L::V ge, gi, cond_ge, cond_gi, current;
  TWIN_INLINE Inputs(const StepCtx<T>& c, const Variant<T>& x, int64_t i) {
    const typename L::V zero = L::all(0);
    ge = L::load(x.ge + i) + x.se * L::load(x.arriving + i);
    gi = L::load(x.gi + i) + x.si * L::load(x.arriving + c.n + i);
    current = K == MIXED ? L::load(c.p[CURRENT] + i) : zero;
    cond_ge = K == MIXED ? (current != zero ? zero : ge) : ge;
    cond_gi = K == MIXED ? (current != zero ? zero : gi) : gi;
  }
};

// How many of W neurons from i on are stiff (the reference's test, NaN included).
template <typename T, int W, Kinds K>
TWIN_INLINE T stiff_lanes(const StepCtx<T>& c, const Variant<T>& x, int64_t i) {
  using L = Lanes<T, W>;
  const Inputs<T, W, K> in(c, x, i);
  const Cond<T, W> q(c.p, i);
  const auto s = stiffness(q, L::all(c.dt), in.cond_ge, in.cond_gi);
  const typename L::V flag = s <= L::all(static_cast<T>(RK4_STIFFNESS))
                                 ? L::all(0) : L::all(1);
  T sum = 0;
  for (int k = 0; k < W; ++k) sum += flag[k];
  return sum;
}

// Whether some neuron of variant `x` is stiff in this step.
template <typename T, Kinds K>
__attribute__((target_clones("avx", "default"))) bool any_stiff(
    const StepCtx<T>& c, const Variant<T>& x) {
  if (K == CURR) return false;  // the reference runs no AdEx kernel then
  constexpr int W = 32 / sizeof(T);
  T stiff = 0;
  int64_t i = 0;
  for (; i + W <= c.n; i += W) stiff += stiff_lanes<T, W, K>(c, x, i);
  for (; i < c.n; ++i) stiff += stiff_lanes<T, 1, K>(c, x, i);
  return stiff > 0;
}

// W neurons from i on, one step: twin.analog.adex.adex_step_with (one RK4 step,
// or, `split`, sub-steps) and twin.analog.psc.psc_step, picked per neuron by kind.
// Writes the new state and, per neuron, spike (1/0) and whether V and w are finite
// (1/0) into `spike` and `finite`; returns whether a sub-step was beyond RK4's
// stability.
template <typename T, int W, Kinds K, bool Split>
TWIN_INLINE bool step_lanes(const StepCtx<T>& c, const Variant<T>& x, int64_t i,
                       T* spike_out, T* finite_out) {
  using L = Lanes<T, W>;
  using V = typename L::V;
  const T* const* p = c.p;
  const V zero = L::all(0), one = L::all(1);
  const Inputs<T, W, K> in(c, x, i);
  const V v0 = L::load(x.v + i), w0 = L::load(x.w + i);
  const V refrac = L::load_int(x.refrac + i);
  const V steps = L::load_int(c.refrac_steps + i);
  const auto ref = refrac > zero;
  const V rest = L::load(p[V_REST] + i), reset = L::load(p[V_RESET] + i);
  bool beyond = false;
  V v = v0, w = w0, ge = in.ge, gi = in.gi, spike = zero;
  if (K != CURR) {  // conductance-based: the AdEx kernel (on every neuron)
    const Cond<T, W> q(p, i);
    const V ge_half = in.cond_ge * q.decay_e, gi_half = in.cond_gi * q.decay_i;
    const V ge_end = ge_half * q.decay_e, gi_end = gi_half * q.decay_i;
    V vc, wc;
    if constexpr (Split) {  // W == 1
      T vs, ws;
      beyond = substeps(q, c.table, c.n, i, ref ? one : zero, c.dt, v0[0], w0[0],
                        in.cond_ge[0], in.cond_gi[0], &vs, &ws);
      vc = L::all(vs);
      wc = L::all(ws);
    } else {
      rk4(q, ref, v0, w0, in.cond_ge, in.cond_gi, ge_half, gi_half, ge_end, gi_end,
          L::all(c.dt), L::all(static_cast<T>(0.5 * static_cast<double>(c.dt))),
          L::all(static_cast<T>(static_cast<double>(c.dt) / 6)), &vc, &wc);
    }
    const auto fired = (refrac <= zero) & (vc >= q.v_spike);
    v = (ref | fired) ? q.v_reset : vc;
    w = fired ? wc + q.b : wc;
    ge = ge_end;  // g decay decay, as the reference's _advanced
    gi = gi_end;
    spike = fired ? one : zero;
  }
  if (K != COND) {  // current-based: exact integration
    const V vrel = v0 - rest;
    const V v_new = vrel * L::load(p[V_V] + i) + in.ge * L::load(p[V_IE] + i) +
                    in.gi * L::load(p[V_II] + i) +
                    L::load(p[I_OFFSET] + i) * L::load(p[V_I0] + i);
    const V vq = ref ? vrel : v_new;
    const auto fired = (refrac <= zero) & (vq >= L::load(p[V_THRESH] + i) - rest);
    const V vc = (ref | fired) ? reset : vq + rest;
    const V gec = in.ge * L::load(p[I_IE] + i), gic = in.gi * L::load(p[I_II] + i);
    const V sc = fired ? one : zero;
    if (K == CURR) {
      v = vc, w = w0, ge = gec, gi = gic, spike = sc;
    } else {
      const auto current = in.current != zero;
      v = current ? vc : v, w = current ? w0 : w, ge = current ? gec : ge;
      gi = current ? gic : gi, spike = current ? sc : spike;
    }
  }
  const V new_refrac = ref ? refrac - one : (spike != zero ? steps : zero);
  L::store(x.v + i, v);
  L::store(x.w + i, w);
  L::store(x.ge + i, ge);
  L::store(x.gi + i, gi);
  L::store_int(x.refrac + i, new_refrac);
  L::store(spike_out + i, spike);
  // isfinite without a library call: x - x is 0 for finite x, NaN otherwise.
  L::store(finite_out + i, ((v - v == zero) & (w - w == zero)) ? one : zero);
  return beyond;
}

// One variant's neurons, one step; the bookkeeping (spikes emitted, counts, first
// non-finite step) after it. Returns whether a sub-step was beyond RK4's stability.
template <typename T, Kinds K, bool Split>
__attribute__((target_clones("avx", "default"))) bool neurons(
    const StepCtx<T>& c, const Variant<T>& x, T* spike, T* finite) {
  constexpr int W = Split ? 1 : 32 / sizeof(T);
  bool beyond = false;
  int64_t i = 0;
  for (; i + W <= c.n; i += W) beyond |= step_lanes<T, W, K, Split>(c, x, i, spike, finite);
  for (; i < c.n; ++i) beyond |= step_lanes<T, 1, K, Split>(c, x, i, spike, finite);
  return beyond;
}

template <typename T>
struct Push {
  const int32_t* target;
  const T* weight;
  const int32_t* delay;
  const int32_t* length;  // a row's synapses; the rest of the row pads
  int64_t k;
};

// The row of `unit` into the ring buffer `base` (slots, cols) at (stamp + delay) %
// slots: twin_deliver_spikes' additions (deliver.cc), in the same order, less the
// padding's (adding +0.0 changes no sum; at most the sign of a zero).
template <typename T>
inline void push(T* base, int64_t slots, int64_t cols, int64_t stamp, int64_t unit,
                 const Push<T>& t) {
  const int32_t* tg = t.target + unit * t.k;
  const T* wt = t.weight + unit * t.k;
  const int32_t* dl = t.delay + unit * t.k;
  const int64_t first = stamp % slots;
  const int64_t wrap = slots - first;
  const int64_t m = t.length[unit];
  for (int64_t j = 0; j < m;) {  // a row is sorted by delay: one slot per run
    const int32_t d = dl[j];
    T* row = base + (d < wrap ? first + d : first + d - slots) * cols;
    for (; j < m && dl[j] == d; ++j) row[tg[j]] += wt[j];
  }
}

template <ffi::DataType D>
ffi::Error AdvanceBlock(
    ffi::BufferR3<D> buf, ffi::BufferR2<D> v_in, ffi::BufferR2<D> w_in,
    ffi::BufferR2<D> ge_in, ffi::BufferR2<D> gi_in, ffi::BufferR2<ffi::S32> refrac_in,
    ffi::BufferR2<ffi::S32> counts_in, ffi::BufferR2<D> arriving_in,
    ffi::BufferR2<ffi::S32> bad_in, ffi::BufferR2<D> params,
    ffi::BufferR3<D> table_in, ffi::BufferR1<ffi::S32> refrac_steps,
    ffi::BufferR2<D> scales, ffi::BufferR0<ffi::S32> first_step,
    ffi::BufferR2<ffi::S32> target, ffi::BufferR2<D> weight,
    ffi::BufferR2<ffi::S32> delay, ffi::BufferR1<ffi::S32> length,
    ffi::BufferR1<ffi::S32> record, int64_t n_steps,
    int64_t block_steps, double dt, bool keep_final, ffi::ResultBufferR3<D> buf_out,
    ffi::ResultBufferR2<D> v_out, ffi::ResultBufferR2<D> w_out,
    ffi::ResultBufferR2<D> ge_out, ffi::ResultBufferR2<D> gi_out,
    ffi::ResultBufferR2<ffi::S32> refrac_out, ffi::ResultBufferR2<ffi::S32> counts_out,
    ffi::ResultBufferR2<D> arriving_out, ffi::ResultBufferR2<ffi::S32> bad_out,
    ffi::ResultBufferR3<ffi::U32> words, ffi::ResultBufferR1<ffi::S32> beyond_out) {
  using T = ffi::NativeType<D>;
  const auto dims = buf.dimensions();
  const int64_t nb = dims[0], slots = dims[1], cols = dims[2], n = cols / 2;
  const int64_t n_words = words->dimensions()[2];
  const int64_t n_record = record.dimensions()[0];
  if (v_in.dimensions()[0] != nb || v_in.dimensions()[1] != n ||
      params.dimensions()[0] != N_ROWS || params.dimensions()[1] != n ||
      table_in.dimensions()[0] != MAX_SUBSTEPS || table_in.dimensions()[2] != n ||
      words->dimensions()[0] != block_steps || words->dimensions()[1] != nb ||
      target.dimensions()[0] < n || length.dimensions()[0] != target.dimensions()[0]) {
    return ffi::Error::InvalidArgument("twin_advance_block: shapes do not match");
  }
  // In-place state: copy an input to its output only where XLA did not alias them.
  auto keep = [](const void* in, void* out, size_t bytes) {
    if (in != out) std::memcpy(out, in, bytes);
  };
  keep(buf.typed_data(), buf_out->typed_data(), buf.size_bytes());
  keep(v_in.typed_data(), v_out->typed_data(), v_in.size_bytes());
  keep(w_in.typed_data(), w_out->typed_data(), w_in.size_bytes());
  keep(ge_in.typed_data(), ge_out->typed_data(), ge_in.size_bytes());
  keep(gi_in.typed_data(), gi_out->typed_data(), gi_in.size_bytes());
  keep(refrac_in.typed_data(), refrac_out->typed_data(), refrac_in.size_bytes());
  keep(counts_in.typed_data(), counts_out->typed_data(), counts_in.size_bytes());
  keep(arriving_in.typed_data(), arriving_out->typed_data(), arriving_in.size_bytes());
  keep(bad_in.typed_data(), bad_out->typed_data(), bad_in.size_bytes());
  uint32_t* word = words->typed_data();
  std::memset(word, 0, words->size_bytes());
  int32_t* beyond = beyond_out->typed_data();
  std::fill(beyond, beyond + nb, 0);

  const T* p[N_ROWS];
  for (int r = 0; r < N_ROWS; ++r) p[r] = params.typed_data() + r * n;
  const T* table = table_in.typed_data();
  const int32_t* rs = refrac_steps.typed_data();
  const int32_t* rec = record.typed_data();
  const Push<T> pushes{target.typed_data(), weight.typed_data(), delay.typed_data(),
                       length.typed_data(), target.dimensions()[1]};
  const T step_dt = static_cast<T>(dt);
  const int64_t step0 = *first_step.typed_data();
  bool has_current = false, has_cond = false;
  for (int64_t i = 0; i < n; ++i) {
    (p[CURRENT][i] != 0 ? has_current : has_cond) = true;
  }
  const Kinds kinds = has_current ? (has_cond ? MIXED : CURR) : COND;
  std::vector<Variant<T>> variants(nb);
  for (int64_t b = 0; b < nb; ++b) {
    variants[b] = {v_out->typed_data() + b * n,
                   w_out->typed_data() + b * n,
                   ge_out->typed_data() + b * n,
                   gi_out->typed_data() + b * n,
                   refrac_out->typed_data() + b * n,
                   counts_out->typed_data() + b * n,
                   bad_out->typed_data() + b * n,
                   arriving_out->typed_data() + b * cols,
                   scales.typed_data()[b],        // w_scale
                   scales.typed_data()[nb + b]};  // w_scale * g_scale
  }
  const StepCtx<T> ctx{p, rs, table, n, step_dt};
  // Each neuron's place among the recorded ones (-1: not recorded), if unique.
  std::vector<int32_t> position(n, -1), fired(n);
  bool unique_record = true;
  for (int64_t j = 0; j < n_record; ++j) {
    unique_record = unique_record && position[rec[j]] < 0;
    position[rec[j]] = static_cast<int32_t>(j);
  }
  std::vector<T> spike(n), finite(n);
  std::vector<T> saved(4 * n);  // the state a dead step must leave unchanged
  std::vector<int32_t> saved_refrac(n);

  for (int64_t t = 0; t < block_steps; ++t) {
    const int64_t step = step0 + t;
    const bool live = step < n_steps;
    const int32_t st = static_cast<int32_t>(step);
    // The reference sub-steps every neuron of the batch if one is stiff.
    bool split = false;
    for (int64_t b = 0; b < nb && !split; ++b) {
      split = kinds == COND    ? any_stiff<T, COND>(ctx, variants[b])
              : kinds == MIXED ? any_stiff<T, MIXED>(ctx, variants[b])
                               : false;
    }
    for (int64_t b = 0; b < nb; ++b) {
      const Variant<T>& x = variants[b];
      T* ring = buf_out->typed_data() + b * slots * cols;
      const bool dead = !live && keep_final;  // the state stays as it was
      if (dead) {
        for (int64_t i = 0; i < n; ++i) {
          saved[i] = x.v[i], saved[n + i] = x.w[i];
          saved[2 * n + i] = x.ge[i], saved[3 * n + i] = x.gi[i];
          saved_refrac[i] = x.refrac[i];
        }
      }
      bool out_of_reach;
      if (kinds == COND) {
        out_of_reach = split ? neurons<T, COND, true>(ctx, x, spike.data(), finite.data())
                             : neurons<T, COND, false>(ctx, x, spike.data(), finite.data());
      } else if (kinds == CURR) {
        out_of_reach = neurons<T, CURR, false>(ctx, x, spike.data(), finite.data());
      } else {
        out_of_reach = split ? neurons<T, MIXED, true>(ctx, x, spike.data(), finite.data())
                             : neurons<T, MIXED, false>(ctx, x, spike.data(), finite.data());
      }
      beyond[b] += out_of_reach;
      if (dead) {
        for (int64_t i = 0; i < n; ++i) {
          x.v[i] = saved[i], x.w[i] = saved[n + i];
          x.ge[i] = saved[2 * n + i], x.gi[i] = saved[3 * n + i];
          x.refrac[i] = saved_refrac[i];
        }
      }
      if (live) {  // dead steps emit, count and check nothing
        int64_t n_fired = 0;
        for (int64_t i = 0; i < n; ++i) {
          x.bad[i] = (finite[i] == T(0) && x.bad[i] < 0) ? st : x.bad[i];
          fired[n_fired] = static_cast<int32_t>(i);
          n_fired += spike[i] != T(0);
        }
        uint32_t* wv = word + (t * nb + b) * n_words;
        for (int64_t f = 0; f < n_fired; ++f) {
          const int32_t i = fired[f];
          x.counts[i] += 1;
          push(ring, slots, cols, step + 1, i, pushes);
          if (unique_record && position[i] >= 0) {
            wv[position[i] >> 5] |= uint32_t{1} << (position[i] & 31);
          }
        }
        for (int64_t j = 0; !unique_record && j < n_record; ++j) {
          if (spike[rec[j]] != T(0)) wv[j >> 5] |= uint32_t{1} << (j & 31);
        }
      }
      std::memcpy(x.arriving, ring + ((step + 1) % slots) * cols, cols * sizeof(T));
    }
  }
  return ffi::Error::Success();
}

}  // namespace

#define TWIN_BLOCK(NAME, D)                           \
  XLA_FFI_DEFINE_HANDLER_SYMBOL(                      \
      NAME, AdvanceBlock<D>,                          \
      ffi::Ffi::Bind()                                \
          .Arg<ffi::BufferR3<D>>()                    \
          .Arg<ffi::BufferR2<D>>()                    \
          .Arg<ffi::BufferR2<D>>()                    \
          .Arg<ffi::BufferR2<D>>()                    \
          .Arg<ffi::BufferR2<D>>()                    \
          .Arg<ffi::BufferR2<ffi::S32>>()             \
          .Arg<ffi::BufferR2<ffi::S32>>()             \
          .Arg<ffi::BufferR2<D>>()                    \
          .Arg<ffi::BufferR2<ffi::S32>>()             \
          .Arg<ffi::BufferR2<D>>()                    \
          .Arg<ffi::BufferR3<D>>()                    \
          .Arg<ffi::BufferR1<ffi::S32>>()             \
          .Arg<ffi::BufferR2<D>>()                    \
          .Arg<ffi::BufferR0<ffi::S32>>()             \
          .Arg<ffi::BufferR2<ffi::S32>>()             \
          .Arg<ffi::BufferR2<D>>()                    \
          .Arg<ffi::BufferR2<ffi::S32>>()             \
          .Arg<ffi::BufferR1<ffi::S32>>()             \
          .Arg<ffi::BufferR1<ffi::S32>>()             \
          .Attr<int64_t>("n_steps")                   \
          .Attr<int64_t>("block_steps")               \
          .Attr<double>("dt")                         \
          .Attr<bool>("keep_final")                   \
          .Ret<ffi::BufferR3<D>>()                    \
          .Ret<ffi::BufferR2<D>>()                    \
          .Ret<ffi::BufferR2<D>>()                    \
          .Ret<ffi::BufferR2<D>>()                    \
          .Ret<ffi::BufferR2<D>>()                    \
          .Ret<ffi::BufferR2<ffi::S32>>()             \
          .Ret<ffi::BufferR2<ffi::S32>>()             \
          .Ret<ffi::BufferR2<D>>()                    \
          .Ret<ffi::BufferR2<ffi::S32>>()             \
          .Ret<ffi::BufferR3<ffi::U32>>()             \
          .Ret<ffi::BufferR1<ffi::S32>>());

TWIN_BLOCK(TwinAdvanceBlockF32, ffi::F32)
TWIN_BLOCK(TwinAdvanceBlockF64, ffi::F64)

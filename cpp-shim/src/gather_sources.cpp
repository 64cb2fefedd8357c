// lt_gather's sources: each kind of source (a scan merged by row address, a
// dense address map, explicit rows, cached batches) turned into the copies of
// gather_copy.cpp, and the row addresses written into the address column. See
// gather.hpp.
#include <algorithm>
#include <cstring>
#include <exception>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "errors.hpp"
#include "gather.hpp"
#include "source_index.hpp"

using lt::gather::bind;
using lt::gather::copy_pairs;
using lt::gather::find_column;
using lt::gather::locate;
using lt::gather::Pair;

namespace {

// Runs fn(from, to) over [0, n) cut into slices on up to 4 threads (the caller's included) when n is large
// enough to pay for them; rethrows the first failure after every slice finished.
template <typename F>
void parallel_slices(int64_t n, F&& fn) {
  constexpr int64_t kMinPerThread = 1 << 17;
  const int64_t hw = std::max<int64_t>(1, static_cast<int64_t>(std::thread::hardware_concurrency()));
  const int64_t T = std::min<int64_t>({hw, 4, std::max<int64_t>(1, n / kMinPerThread)});
  if (T <= 1) {
    fn(int64_t{0}, n);
    return;
  }
  std::vector<std::exception_ptr> errs(static_cast<size_t>(T));
  std::vector<std::thread> threads;
  auto slice = [&](int64_t t) {
    try {
      fn(n * t / T, n * (t + 1) / T);
    } catch (...) {
      errs[t] = std::current_exception();
    }
  };
  for (int64_t t = 1; t < T; ++t) threads.emplace_back(slice, t);
  slice(0);
  for (std::thread& th : threads) th.join();
  for (const std::exception_ptr& e : errs) {
    if (e) std::rethrow_exception(e);
  }
}

const lt_batch* check_src(const lt_gather* g, const lt_batch* src, const char* fn) {
  if (g == nullptr) lt::fail(std::string(fn) + ": gather is null");
  if (src == nullptr) lt::fail(std::string(fn) + ": source batch is null");
  return src;
}

void gather_merge(lt_gather* g, const lt_batch* src, const char* addr_col, const int64_t* want_addr,
                  const int64_t* want_pos, int64_t n_want, int64_t* cursor) {
  check_src(g, src, "lt_gather_merge");
  if (addr_col == nullptr || cursor == nullptr) lt::fail("lt_gather_merge: address column or cursor is null");
  if (n_want < 0 || *cursor < 0 || *cursor > n_want) lt::fail("lt_gather_merge: cursor out of range");
  if (n_want > 0 && (want_addr == nullptr || want_pos == nullptr)) lt::fail("lt_gather_merge: wanted rows are null");
  const int64_t ai = find_column(src, addr_col);
  if (ai < 0) lt::fail(std::string("lt_gather_merge: the source batch has no column '") + addr_col + "'");
  const lt::ColumnView a = lt::batch_column(src, ai);
  if ((a.elem != lt::Elem::U64 && a.elem != lt::Elem::I64) || a.fixed_list || a.null_rows > 0 || a.stride != 8) {
    lt::fail("lt_gather_merge: address column '" + std::string(addr_col) + "' must be non-null 64-bit integers");
  }
  const auto* addr = static_cast<const uint64_t*>(a.values) + a.first;
  int64_t c = *cursor;
  std::vector<Pair> pairs;
  for (int64_t i = 0; i < a.rows && c < n_want; ++i) {
    const uint64_t x = addr[i];
    if (i > 0 && x <= addr[i - 1]) lt::fail("lt_gather_merge: source row addresses are not ascending");
    if (static_cast<uint64_t>(want_addr[c]) < x) {
      lt::fail("lt_gather_merge: row address " + std::to_string(static_cast<uint64_t>(want_addr[c]) >> 32) + ":" +
               std::to_string(static_cast<uint64_t>(want_addr[c]) & 0xFFFFFFFFu) +
               " is not in the scanned range (deleted or out of range)");
    }
    while (c < n_want && static_cast<uint64_t>(want_addr[c]) == x) {
      pairs.push_back({i, want_pos[c]});
      ++c;
    }
  }
  copy_pairs(g, src, pairs);
  *cursor = c;
}

void gather_merge_dense(lt_gather* g, const lt_batch* src, const char* addr_col, int32_t* dense, int64_t lo,
                        int64_t span, int64_t* found) {
  check_src(g, src, "lt_gather_merge_dense");
  if (addr_col == nullptr || found == nullptr) lt::fail("lt_gather_merge_dense: address column or found is null");
  if (span < 0 || (span > 0 && dense == nullptr)) lt::fail("lt_gather_merge_dense: bad wanted map");
  const int64_t ai = find_column(src, addr_col);
  if (ai < 0) lt::fail(std::string("lt_gather_merge_dense: the source batch has no column '") + addr_col + "'");
  const lt::ColumnView a = lt::batch_column(src, ai);
  if ((a.elem != lt::Elem::U64 && a.elem != lt::Elem::I64) || a.fixed_list || a.null_rows > 0 || a.stride != 8) {
    lt::fail("lt_gather_merge_dense: address column '" + std::string(addr_col) +
             "' must be non-null 64-bit integers");
  }
  const auto* addr = static_cast<const uint64_t*>(a.values) + a.first;
  // Room for every row, left uninitialised (a 64k-row batch's would be a 1 MB fill per call): only the first k are
  // written and read.
  std::unique_ptr<Pair[]> pairs(new Pair[static_cast<size_t>(a.rows)]);
  size_t k = 0;
  if (span > 0) {
    // Without branches (a quarter of a shuffled window's scanned rows match, at random): every row writes a pair,
    // a match keeps it; a row outside the range looks at entry 0 and writes it back unchanged.
    for (int64_t i = 0; i < a.rows; ++i) {
      const uint64_t d = addr[i] - static_cast<uint64_t>(lo);
      const bool in = d < static_cast<uint64_t>(span);
      const uint64_t at = in ? d : 0;
      const int32_t e = dense[at];
      const int32_t p = in ? e : 0;
      pairs[k] = {i, static_cast<int64_t>(p) - 1};
      k += p != 0 ? 1 : 0;
      dense[at] = in ? 0 : e;  // found: a second source row at this address cannot match it again
    }
  }
  copy_pairs(g, src, pairs.get(), k);
  *found = static_cast<int64_t>(k);
}

void gather_rows(lt_gather* g, const lt_batch* src, const int64_t* src_rows, const int64_t* dst_pos, int64_t n) {
  check_src(g, src, "lt_gather_rows");
  if (n < 0 || (n > 0 && (src_rows == nullptr || dst_pos == nullptr))) lt::fail("lt_gather_rows: bad row arrays");
  std::vector<Pair> pairs(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) pairs[i] = {src_rows[i], dst_pos[i]};
  copy_pairs(g, src, pairs);
}

void gather_from_batches(lt_gather* g, lt_batch* const* srcs, const int64_t* starts, int64_t n_srcs,
                         const int64_t* positions, const int64_t* dst_pos, int64_t n) {
  if (g == nullptr) lt::fail("lt_gather_from_batches: gather is null");
  if (srcs == nullptr || starts == nullptr || n_srcs <= 0) lt::fail("lt_gather_from_batches: no source batches");
  if (n < 0 || (n > 0 && (positions == nullptr || dst_pos == nullptr))) {
    lt::fail("lt_gather_from_batches: bad row arrays");
  }
  for (int64_t s = 0; s < n_srcs; ++s) {
    if (srcs[s] == nullptr) lt::fail("lt_gather_from_batches: a source batch is null");
    if (starts[s + 1] - starts[s] != srcs[s]->array.length) {
      lt::fail("lt_gather_from_batches: source starts do not match the batch lengths");
    }
  }
  const int64_t end = starts[n_srcs];
  for (int64_t i = 0; i < n; ++i) {
    if (positions[i] < 0 || positions[i] >= end) {
      lt::fail("lt_gather_from_batches: position " + std::to_string(positions[i]) + " out of range [0, " +
               std::to_string(end) + ")");
    }
  }
  bind(g, srcs[0]);  // once, before the slices run concurrently
  const lt::gather::SourceIndex index(starts, n_srcs);
  parallel_slices(n, [&](int64_t from, int64_t to) {
    std::vector<int32_t> src_of(static_cast<size_t>(to - from));
    std::vector<int64_t> count(static_cast<size_t>(n_srcs), 0);
    for (int64_t i = from; i < to; ++i) {
      const int64_t p = positions[i];
      const int32_t s = index.of(p);
      src_of[i - from] = s;
      ++count[s];
    }
    std::vector<std::vector<Pair>> per(static_cast<size_t>(n_srcs));
    for (int64_t s = 0; s < n_srcs; ++s) per[s].reserve(static_cast<size_t>(count[s]));
    for (int64_t i = from; i < to; ++i) {
      const int32_t s = src_of[i - from];
      per[s].push_back({positions[i] - starts[s], dst_pos[i]});
    }
    std::vector<int64_t> written(g->outs.size(), 0);  // added once per slice, not per source batch
    for (int64_t s = 0; s < n_srcs; ++s) copy_pairs(g, srcs[s], per[s], written.data());
    lt::gather::add_written(g, written);
  });
}

void gather_addresses(lt_gather* g, const int64_t* addrs, int64_t from, int64_t n) {
  if (g == nullptr) lt::fail("lt_gather_addresses: gather is null");
  if (n < 0 || from < 0 || from + n > g->total_rows || (n > 0 && addrs == nullptr)) {
    lt::fail("lt_gather_addresses: positions out of range");
  }
  int64_t ci = -1;
  for (size_t i = 0; i < g->cols.size(); ++i) {
    if (g->cols[i].address) ci = static_cast<int64_t>(i);
  }
  if (ci < 0) lt::fail("lt_gather_addresses: the gather has no address column");
  if (!g->bound) lt::fail_state("lt_gather_addresses: no source batch was gathered yet (layout unknown)");
  for (int64_t i = 0; i < n; ++i) {
    const auto [ob, row] = locate(g, from + i);
    std::memcpy(g->outs[static_cast<size_t>(ob)].values[ci] + row * 8, &addrs[i], 8);
  }
}

}  // namespace

extern "C" {

LT_API int lt_gather_merge(lt_gather* g, const lt_batch* src, const char* addr_col, const int64_t* want_addr,
                           const int64_t* want_pos, int64_t n_want, int64_t* cursor) {
  return lt::guarded([&] { gather_merge(g, src, addr_col, want_addr, want_pos, n_want, cursor); });
}

LT_API int lt_gather_merge_dense(lt_gather* g, const lt_batch* src, const char* addr_col, int32_t* dense, int64_t lo,
                                 int64_t span, int64_t* found) {
  return lt::guarded([&] { gather_merge_dense(g, src, addr_col, dense, lo, span, found); });
}

LT_API int lt_gather_rows(lt_gather* g, const lt_batch* src, const int64_t* src_rows, const int64_t* dst_pos,
                          int64_t n) {
  return lt::guarded([&] { gather_rows(g, src, src_rows, dst_pos, n); });
}

LT_API int lt_gather_from_batches(lt_gather* g, lt_batch* const* srcs, const int64_t* starts, int64_t n_srcs,
                                  const int64_t* positions, const int64_t* dst_pos, int64_t n) {
  return lt::guarded([&] { gather_from_batches(g, srcs, starts, n_srcs, positions, dst_pos, n); });
}

LT_API int lt_gather_addresses(lt_gather* g, const int64_t* addrs, int64_t from, int64_t n) {
  return lt::guarded([&] { gather_addresses(g, addrs, from, n); });
}

}  // extern "C"

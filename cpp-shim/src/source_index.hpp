// Which of several source batches laid end to end holds a global row position: a table of the source at every
// 2^shift-th position, then at most a step forward. When every batch is at least 2^shift long (a cache's blocks: all
// one length but each fragment's last), a table entry's source or the next one holds the position: one comparison,
// no branch. Otherwise 2^shift is no longer than the batches' average length (at most 2 entries per batch) and a walk
// forward follows, a step or so on average (no binary search per row either way).
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

namespace lt::gather {

class SourceIndex {
 public:
  // starts[s] is the first position of source s, starts[n_srcs] one past the last (ascending, n_srcs >= 1;
  // checked by the callers). Borrows `starts`.
  SourceIndex(const int64_t* starts, int64_t n_srcs) : starts_(starts) {
    const int64_t end = starts[n_srcs];
    int64_t shortest = end;
    for (int64_t s = 0; s < n_srcs; ++s) shortest = std::min(shortest, starts[s + 1] - starts[s]);
    if (shortest > 0) {
      while ((int64_t{2} << shift_) <= shortest) ++shift_;
      // exact, unless a short batch would make the table much longer than the batches (built per call)
      exact_ = (end >> shift_) <= 4 * n_srcs + 1024;
    }
    if (!exact_) {
      shift_ = 0;
      const int64_t average = end / n_srcs;
      while ((int64_t{2} << shift_) <= average) ++shift_;
    }
    table_.resize(static_cast<size_t>((end >> shift_) + 1));
    for (size_t b = 0, src = 0; b < table_.size(); ++b) {
      const int64_t p0 = static_cast<int64_t>(b) << shift_;
      while (src + 1 < static_cast<size_t>(n_srcs) && starts[src + 1] <= p0) ++src;
      table_[b] = static_cast<int32_t>(src);
    }
  }

  // The source holding position p (0 <= p < starts[n_srcs]).
  int32_t of(int64_t p) const {
    int32_t s = table_[static_cast<size_t>(p >> shift_)];
    if (exact_) return s + static_cast<int32_t>(starts_[s + 1] <= p);
    while (starts_[s + 1] <= p) ++s;
    return s;
  }

 private:
  const int64_t* starts_;
  int shift_ = 0;
  bool exact_ = false;
  std::vector<int32_t> table_;
};

}  // namespace lt::gather

// lt_gather: rows of source batches (scans, takes, a memory cache) copied into
// freshly allocated output record batches at given positions — the native half
// of the read planner. Outputs are plain Arrow C batches (struct of fixed-width,
// bool and FixedSizeList columns, and variable-length ones: see gather_varlen.hpp)
// in memory the shim allocates; each finished output becomes an ordinary
// lt_batch, so tensors are zero-copy views of it.
//
// The gather is three files: gather_outputs.cpp builds the outputs (layout,
// allocation, schema, finished batches), gather_copy.cpp copies source rows into
// them, gather_sources.cpp turns each kind of source (a merged scan, a dense
// address map, explicit rows, cached batches, row addresses) into those copies.
//
// Threads: the copy functions may run concurrently on one gather as long as the
// destination positions are disjoint (validity and bool bits are written with
// atomic byte operations); create/finish/release are not concurrent with them.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "batch.hpp"
#include "column.hpp"
#include "gather_varlen.hpp"
#include "shared_schema.hpp"

namespace lt::gather {

// Layout of one output column (bound from the first source batch).
struct OutColumn {
  std::string name;
  bool address = false;  // filled from row addresses (uint64), not from sources
  lt::Elem elem = lt::Elem::U64;
  bool fixed_list = false;
  int64_t width = 1;
  std::string format;       // of the column ("+w:D" for lists)
  std::string item_format;  // of the list item
  bool varlen = false;      // list / binary / utf8 (and large forms): offsets + values, see gather_varlen.hpp
  lt::VarLayout var;
  // byte offsets inside one output block, for a batch of `rows` rows (see Layout)
};

// One output batch: a single allocation holding every buffer, plus the ArrowArray tree.
struct OutBatch {
  void* block = nullptr;
  int64_t rows = 0;
  std::vector<char*> validity;       // per column (row validity)
  std::vector<char*> values;         // per column (values or list items)
  std::vector<char*> item_validity;  // per column (list child validity; null when not a list)
  std::vector<lt::VarRows> var;      // per column (the rows copied so far; sized at a first copy, see var_rows)
  std::vector<lt::VarBuffers> var_done;  // per column: laid out by lt_gather_from_fragments (whole output at once)
  // per column: `var` sized once (copies of several threads may reach an output first; after that a check is one
  // atomic load, not a lock per output per copy call)
  std::unique_ptr<std::once_flag[]> var_once;
  std::atomic<int64_t> written{0};
  bool finished = false;
};

// A copy job: source row -> window position, for every column.
struct Pair {
  int64_t src_row;
  int64_t dst_pos;
};

}  // namespace lt::gather

struct lt_gather {
  std::vector<lt::gather::OutColumn> cols;
  int64_t batch_size = 0;  // every output's rows but the last's; 0: outputs of their own sizes (starts, out_of)
  int64_t total_rows = 0;
  std::vector<int64_t> starts;  // sized outputs: output i holds positions [starts[i], starts[i + 1])
  std::vector<int32_t> out_of;  // sized outputs: the output of each position
  std::vector<lt::gather::OutBatch> outs;
  std::once_flag bound_once;
  bool bound = false;
  std::string bind_error;
  lt_schema* schema = nullptr;  // of the outputs, made at bind
  lt::VarChunks chunks;         // rows of variable-length columns copied so far
};

namespace lt::gather {

// The output of destination position p (0 <= p < total_rows) and its row there.
inline std::pair<int64_t, int64_t> locate(const lt_gather* g, int64_t p) {
  if (g->batch_size > 0) {
    const int64_t ob = p / g->batch_size;
    return {ob, p - ob * g->batch_size};
  }
  const int64_t ob = g->out_of[static_cast<size_t>(p)];
  return {ob, p - g->starts[static_cast<size_t>(ob)]};
}

// The index of the source batch's column `name`, -1 when it has none.
int64_t find_column(const lt_batch* src, const std::string& name);

// Fixes the output layout from the first source batch (once, under std::call_once).
// Throws lt::Error when the source batch lacks a column or binding failed (also for every later call).
void bind(lt_gather* g, const lt_batch* src);

// The rows copied so far of variable-length column `ci` of output `o`, sized at the first call (thread-safe):
// outputs laid out whole by lt_gather_from_fragments never need them.
lt::VarRows& var_rows(const lt_gather* g, OutBatch& o, size_t ci);

// Copies rows of `src` per the pairs, column by column. The pairs are first resolved into moves grouped output by
// output (a counting sort on the output, stable), read in that order by every column: the stores stay inside one
// output's block at a time instead of landing anywhere in the window; the loads, random within one source batch,
// are prefetched kPrefetch moves ahead.
// The rows copied into each output are counted in its `written` (an atomic add per output touched), or, with
// `written` given (one entry per output), added there: a caller making many calls adds them once (add_written);
// the atomic adds of calls on several threads contend (one per output per source batch was 69 % of copy_pairs'
// samples in a profile of a cached read).
void copy_pairs(lt_gather* g, const lt_batch* src, const Pair* pairs, size_t n_pairs, int64_t* written = nullptr);
void copy_pairs(lt_gather* g, const lt_batch* src, const std::vector<Pair>& pairs, int64_t* written = nullptr);
void add_written(lt_gather* g, const std::vector<int64_t>& written);

}  // namespace lt::gather

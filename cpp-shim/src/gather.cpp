// lt_gather: rows of source batches (scans, takes, a memory cache) copied into
// freshly allocated output record batches at given positions — the native half
// of the read planner. Outputs are plain Arrow C batches (struct of fixed-width,
// bool and FixedSizeList columns) in memory the shim allocates; each finished
// output becomes an ordinary lt_batch, so tensors are zero-copy views of it.
//
// Threads: the copy functions may run concurrently on one gather as long as the
// destination positions are disjoint (validity and bool bits are written with
// atomic byte operations); create/finish/release are not concurrent with them.
#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <thread>
#include <vector>

#include "batch.hpp"
#include "column.hpp"
#include "errors.hpp"
#include "shared_schema.hpp"

namespace {

constexpr int64_t kAlign = 64;

int64_t round_up(int64_t n) { return (n + kAlign - 1) / kAlign * kAlign; }
int64_t bitmap_bytes(int64_t bits) { return round_up((bits + 7) / 8); }

// Layout of one output column (bound from the first source batch).
struct OutColumn {
  std::string name;
  bool address = false;  // filled from row addresses (uint64), not from sources
  lt::Elem elem = lt::Elem::U64;
  bool fixed_list = false;
  int64_t width = 1;
  std::string format;       // of the column ("+w:D" for lists)
  std::string item_format;  // of the list item
  // byte offsets inside one output block, for a batch of `rows` rows (see Layout)
};

// One output batch: a single allocation holding every buffer, plus the ArrowArray tree.
struct OutBatch {
  void* block = nullptr;
  int64_t rows = 0;
  std::vector<char*> validity;       // per column (row validity)
  std::vector<char*> values;         // per column (values or list items)
  std::vector<char*> item_validity;  // per column (list child validity; null when not a list)
  std::atomic<int64_t> written{0};
  bool finished = false;
};

struct ArrayHolder {
  void* block;
  std::vector<ArrowArray> arrays;  // [0, C): columns, [C, 2C): list children (unused slots for non-lists)
  std::vector<ArrowArray*> top_children;
  std::vector<ArrowArray*> list_children;
  std::vector<std::vector<const void*>> buffers;  // per array in `arrays`, then the top-level
};

void release_child(ArrowArray* a) { a->release = nullptr; }

void release_top(ArrowArray* a) {
  auto* h = static_cast<ArrayHolder*>(a->private_data);
  for (ArrowArray& c : h->arrays) {
    if (c.release != nullptr) c.release(&c);
  }
  std::free(h->block);
  delete h;
  a->release = nullptr;
}

// The ArrowSchema tree of the outputs, owned by one heap object freed by the top-level release.
struct SchemaHolder {
  std::vector<std::string> strings;  // formats and names, stable (reserved up front)
  std::vector<ArrowSchema> nodes;    // [0, C): columns, [C, 2C): list items
  std::vector<ArrowSchema*> top_children;
  std::vector<ArrowSchema*> item_children;
};

void release_schema_child(ArrowSchema* s) { s->release = nullptr; }

void release_schema_top(ArrowSchema* s) {
  delete static_cast<SchemaHolder*>(s->private_data);
  s->release = nullptr;
}

void init_schema(ArrowSchema* s, const char* format, const char* name, int64_t flags) {
  std::memset(s, 0, sizeof(ArrowSchema));
  s->format = format;
  s->name = name;
  s->flags = flags;
  s->release = &release_schema_child;
}

int64_t popcount_nulls(const char* bits, int64_t n) {
  int64_t valid = 0;
  const auto* b = reinterpret_cast<const uint8_t*>(bits);
  for (int64_t i = 0; i < n / 8; ++i) valid += __builtin_popcount(b[i]);
  for (int64_t i = n / 8 * 8; i < n; ++i) valid += lt::bit_set(b, i) ? 1 : 0;
  return n - valid;
}

inline void clear_bit(char* bits, int64_t i) {
  __atomic_fetch_and(reinterpret_cast<uint8_t*>(bits) + (i >> 3), static_cast<uint8_t>(~(1u << (i & 7))),
                     __ATOMIC_RELAXED);
}

inline void put_bit(char* bits, int64_t i, bool on) {
  auto* p = reinterpret_cast<uint8_t*>(bits) + (i >> 3);
  const auto m = static_cast<uint8_t>(1u << (i & 7));
  if (on) {
    __atomic_fetch_or(p, m, __ATOMIC_RELAXED);
  } else {
    __atomic_fetch_and(p, static_cast<uint8_t>(~m), __ATOMIC_RELAXED);
  }
}

// Copies `bytes` bytes; constant sizes for the common row widths so the compiler inlines them.
inline void copy_row(char* dst, const char* src, int64_t bytes) {
  switch (bytes) {
    case 1: std::memcpy(dst, src, 1); return;
    case 2: std::memcpy(dst, src, 2); return;
    case 4: std::memcpy(dst, src, 4); return;
    case 8: std::memcpy(dst, src, 8); return;
    case 16: std::memcpy(dst, src, 16); return;
    case 32: std::memcpy(dst, src, 32); return;
    case 64: std::memcpy(dst, src, 64); return;
    default: std::memcpy(dst, src, static_cast<size_t>(bytes)); return;
  }
}

}  // namespace

struct lt_gather {
  std::vector<OutColumn> cols;
  int64_t batch_size = 0;  // every output's rows but the last's; 0: outputs of their own sizes (starts, out_of)
  int64_t total_rows = 0;
  std::vector<int64_t> starts;  // sized outputs: output i holds positions [starts[i], starts[i + 1])
  std::vector<int32_t> out_of;  // sized outputs: the output of each position
  std::vector<OutBatch> outs;
  std::once_flag bound_once;
  bool bound = false;
  std::string bind_error;
  lt_schema* schema = nullptr;  // of the outputs, made at bind
};

namespace {

// The output of destination position p (0 <= p < total_rows) and its row there.
inline std::pair<int64_t, int64_t> locate(const lt_gather* g, int64_t p) {
  if (g->batch_size > 0) {
    const int64_t ob = p / g->batch_size;
    return {ob, p - ob * g->batch_size};
  }
  const int64_t ob = g->out_of[static_cast<size_t>(p)];
  return {ob, p - g->starts[static_cast<size_t>(ob)]};
}

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

// A copy job: source row -> window position, for every column.
struct Pair {
  int64_t src_row;
  int64_t dst_pos;
};

std::string label(const OutColumn& c) { return "column '" + c.name + "'"; }

void check_same_layout(const OutColumn& o, const lt::ColumnView& v) {
  if (v.elem != o.elem || v.fixed_list != o.fixed_list || v.width != o.width) {
    lt::fail("lt_gather: " + label(o) + " has format '" + v.format + "' in this source batch but '" + o.format +
             "' in the first one");
  }
}

int64_t find_column(const lt_batch* src, const std::string& name) {
  for (size_t i = 0; i < src->names.size(); ++i) {
    if (src->names[i] == name) return static_cast<int64_t>(i);
  }
  return -1;
}

void build_schema(lt_gather* g) {
  auto holder = std::make_unique<SchemaHolder>();
  const size_t C = g->cols.size();
  holder->strings.reserve(4 * C + 2);
  holder->nodes.resize(2 * C);
  holder->top_children.resize(C);
  holder->item_children.resize(C);
  auto keep = [&](const std::string& s) -> const char* {
    holder->strings.push_back(s);
    return holder->strings.back().c_str();
  };
  const char* top_format = keep("+s");
  const char* empty = keep("");
  for (size_t i = 0; i < C; ++i) {
    const OutColumn& c = g->cols[i];
    ArrowSchema* s = &holder->nodes[i];
    init_schema(s, keep(c.format), keep(c.name), ARROW_FLAG_NULLABLE);
    if (c.fixed_list) {
      ArrowSchema* item = &holder->nodes[C + i];
      init_schema(item, keep(c.item_format), keep("item"), ARROW_FLAG_NULLABLE);
      holder->item_children[i] = item;
      s->n_children = 1;
      s->children = &holder->item_children[i];
    }
    holder->top_children[i] = s;
  }
  auto* ls = new lt_schema();
  std::memset(&ls->schema, 0, sizeof(ArrowSchema));
  ls->schema.format = top_format;
  ls->schema.name = empty;
  ls->schema.n_children = static_cast<int64_t>(C);
  ls->schema.children = holder->top_children.data();
  ls->schema.private_data = holder.release();
  ls->schema.release = &release_schema_top;
  g->schema = ls;
}

// One output block: every bitmap first (validity, list item validity, bool values), then the fixed-width values
// column after column, each aligned to its element size only, so consecutive columns of one type lie back to back
// and lt_batch_stack_columns turns them into a (C, R) tensor without a copy (a (C, R) float tensor of a,b,c,d is a
// view of the block). The first values start 64-byte aligned. Returns the block's size; with a block, sets the
// output's pointers and initialises the bitmaps.
int64_t layout_output(const lt_gather* g, OutBatch* o, char* block) {
  const int64_t R = o->rows;
  const size_t C = g->cols.size();
  std::vector<int64_t> validity(C), item_validity(C, -1), values(C);
  int64_t at = 0;
  for (size_t i = 0; i < C; ++i) {
    validity[i] = at;
    at += bitmap_bytes(R);
  }
  for (size_t i = 0; i < C; ++i) {
    if (g->cols[i].fixed_list) {
      item_validity[i] = at;
      at += bitmap_bytes(R * g->cols[i].width);
    }
  }
  for (size_t i = 0; i < C; ++i) {
    if (g->cols[i].elem == lt::Elem::Bool) {
      values[i] = at;
      at += bitmap_bytes(R * g->cols[i].width);
    }
  }
  at = round_up(at);
  for (size_t i = 0; i < C; ++i) {
    const OutColumn& c = g->cols[i];
    if (c.elem == lt::Elem::Bool) continue;
    const int64_t es = lt::elem_size(c.elem);
    at = (at + es - 1) / es * es;
    values[i] = at;
    at += R * c.width * es;
  }
  at = round_up(std::max<int64_t>(at, kAlign));
  if (block == nullptr) return at;
  for (size_t i = 0; i < C; ++i) {
    const OutColumn& c = g->cols[i];
    o->validity.push_back(block + validity[i]);
    std::memset(block + validity[i], 0xFF, static_cast<size_t>(bitmap_bytes(R)));
    o->values.push_back(block + values[i]);
    if (c.elem == lt::Elem::Bool) std::memset(block + values[i], 0, static_cast<size_t>(bitmap_bytes(R * c.width)));
    if (c.fixed_list) {
      o->item_validity.push_back(block + item_validity[i]);
      std::memset(block + item_validity[i], 0xFF, static_cast<size_t>(bitmap_bytes(R * c.width)));
    } else {
      o->item_validity.push_back(nullptr);
    }
  }
  return at;
}

void allocate_outputs(lt_gather* g) {
  for (OutBatch& o : g->outs) {
    const int64_t bytes = layout_output(g, &o, nullptr);
    o.block = std::aligned_alloc(kAlign, static_cast<size_t>(bytes));
    if (o.block == nullptr) throw std::bad_alloc();
    layout_output(g, &o, static_cast<char*>(o.block));
  }
}

// Fixes the output layout from the first source batch (once, under std::call_once).
void bind(lt_gather* g, const lt_batch* src) {
  std::call_once(g->bound_once, [&] {
    try {
      for (OutColumn& c : g->cols) {
        if (c.address) continue;
        const int64_t i = find_column(src, c.name);
        if (i < 0) lt::fail("lt_gather: the source batch has no column '" + c.name + "'");
        const lt::ColumnView v = lt::describe_column(&src->array, &src->schema, i);
        c.elem = v.elem;
        c.fixed_list = v.fixed_list;
        c.width = v.width;
        c.format = v.format;
        if (v.fixed_list) c.item_format = src->schema.children[i]->children[0]->format;
      }
      build_schema(g);
      allocate_outputs(g);
      g->bound = true;
    } catch (const std::exception& e) {
      g->bind_error = e.what();
    }
  });
  if (!g->bound) lt::fail(g->bind_error.empty() ? "lt_gather: binding the output layout failed" : g->bind_error);
}

// Moves ahead whose source row copy_pairs prefetches: the loads are random within a source batch (a cache's batches
// lie in DRAM), and asking for them early keeps several misses in flight (about 20 % faster on a memory-cache read
// of 262k rows at batch 16384 in an A/B; no change measured on scans, whose batches were just decoded).
constexpr size_t kPrefetch = 16;

// A pair's copy, resolved: source row, destination output and row there.
struct Move {
  int32_t src_row;
  int32_t out;
  int32_t out_row;
};

// Copies rows of `src` per the pairs, column by column. The pairs are first resolved into moves grouped output by
// output (a counting sort on the output, stable), read in that order by every column: the stores stay inside one
// output's block at a time instead of landing anywhere in the window; the loads, random within one source batch,
// are prefetched kPrefetch moves ahead.
void copy_pairs(lt_gather* g, const lt_batch* src, const Pair* pairs, size_t n_pairs) {
  if (n_pairs == 0) return;
  bind(g, src);
  if (src->array.length > INT32_MAX || g->outs.size() > static_cast<size_t>(INT32_MAX)) {
    lt::fail("lt_gather: source batch or outputs too large");
  }
  std::vector<int64_t> at(g->outs.size() + 1, 0);
  std::vector<Move> located(n_pairs);  // in pair order; placed output by output below
  for (size_t i = 0; i < n_pairs; ++i) {
    const Pair& p = pairs[i];
    if (p.dst_pos < 0 || p.dst_pos >= g->total_rows) {
      lt::fail("lt_gather: destination position " + std::to_string(p.dst_pos) + " out of range [0, " +
               std::to_string(g->total_rows) + ")");
    }
    if (p.src_row < 0 || p.src_row >= src->array.length) {
      lt::fail("lt_gather: source row " + std::to_string(p.src_row) + " out of range [0, " +
               std::to_string(src->array.length) + ")");
    }
    const auto [ob, row] = locate(g, p.dst_pos);
    located[i] = {static_cast<int32_t>(p.src_row), static_cast<int32_t>(ob), static_cast<int32_t>(row)};
    ++at[static_cast<size_t>(ob) + 1];
  }
  std::vector<int64_t> per_out(g->outs.size());
  for (size_t ob = 0; ob < g->outs.size(); ++ob) {
    per_out[ob] = at[ob + 1];
    at[ob + 1] += at[ob];
  }
  std::vector<Move> moves(n_pairs);
  for (const Move& m : located) moves[static_cast<size_t>(at[static_cast<size_t>(m.out)]++)] = m;
  std::vector<char*> col_base(g->outs.size());
  for (size_t ci = 0; ci < g->cols.size(); ++ci) {
    const OutColumn& c = g->cols[ci];
    if (c.address) continue;
    const int64_t si = find_column(src, c.name);
    if (si < 0) lt::fail("lt_gather: a source batch has no column '" + c.name + "'");
    const lt::ColumnView v = lt::describe_column(&src->array, &src->schema, si);
    check_same_layout(c, v);
    const int64_t W = c.width;
    const bool nulls = v.null_rows > 0 || v.null_items > 0;
    if (c.elem == lt::Elem::Bool) {
      const auto* bits = static_cast<const uint8_t*>(v.values);
      for (const Move& m : moves) {
        char* out = g->outs[static_cast<size_t>(m.out)].values[ci];
        for (int64_t k = 0; k < W; ++k) {
          put_bit(out, m.out_row * W + k, lt::bit_set(bits, v.first + m.src_row * W + k));
        }
      }
    } else {
      const int64_t rb = W * lt::elem_size(c.elem);
      const char* base = static_cast<const char*>(v.values) + v.first * lt::elem_size(c.elem);
      // This column's start in every output, so a row's destination is one load away.
      for (size_t ob = 0; ob < g->outs.size(); ++ob) col_base[ob] = g->outs[ob].values[ci];
      const size_t n_moves = moves.size();
      for (size_t j = 0; j < n_moves; ++j) {
        if (j + kPrefetch < n_moves) __builtin_prefetch(base + moves[j + kPrefetch].src_row * rb);
        const Move& m = moves[j];
        copy_row(col_base[static_cast<size_t>(m.out)] + m.out_row * rb, base + m.src_row * rb, rb);
      }
    }
    if (nulls) {
      for (const Move& m : moves) {
        OutBatch& o = g->outs[static_cast<size_t>(m.out)];
        if (v.row_validity != nullptr && !lt::bit_set(v.row_validity, v.row_validity_first + m.src_row)) {
          clear_bit(o.validity[ci], m.out_row);
        }
        if (v.item_validity != nullptr) {
          for (int64_t k = 0; k < W; ++k) {
            if (!lt::bit_set(v.item_validity, v.item_validity_first + m.src_row * W + k)) {
              clear_bit(o.item_validity[ci], m.out_row * W + k);
            }
          }
        }
      }
    }
  }
  for (size_t ob = 0; ob < per_out.size(); ++ob) {
    if (per_out[ob] != 0) g->outs[ob].written.fetch_add(per_out[ob], std::memory_order_relaxed);
  }
}

void copy_pairs(lt_gather* g, const lt_batch* src, const std::vector<Pair>& pairs) {
  copy_pairs(g, src, pairs.data(), pairs.size());
}

const lt_batch* check_src(const lt_gather* g, const lt_batch* src, const char* fn) {
  if (g == nullptr) lt::fail(std::string(fn) + ": gather is null");
  if (src == nullptr) lt::fail(std::string(fn) + ": source batch is null");
  return src;
}

// A gather of the named columns and the given output sizes: with batch_size > 0 they are all batch_size but the
// last (smaller), and positions are located by division; with 0 they are any sizes >= 1, located by a table.
void gather_init(const char* const* names, int64_t n_cols, int64_t address_col, const std::vector<int64_t>& sizes,
                 int64_t batch_size, lt_gather** out) {
  if (names == nullptr || n_cols <= 0) lt::fail("lt_gather_create: need at least one column");
  if (address_col < -1 || address_col >= n_cols) lt::fail("lt_gather_create: address column out of range");
  auto g = std::make_unique<lt_gather>();
  for (int64_t i = 0; i < n_cols; ++i) {
    if (names[i] == nullptr) lt::fail("lt_gather_create: a column name is null");
    OutColumn c;
    c.name = names[i];
    if (i == address_col) {
      c.address = true;
      c.elem = lt::Elem::U64;
      c.format = "L";
    }
    g->cols.push_back(std::move(c));
  }
  g->outs = std::vector<OutBatch>(sizes.size());
  int64_t total = 0;
  for (size_t b = 0; b < sizes.size(); ++b) {
    g->outs[b].rows = sizes[b];
    total += sizes[b];
  }
  g->total_rows = total;
  g->batch_size = batch_size;
  if (batch_size == 0) {
    if (total > INT32_MAX || sizes.size() > static_cast<size_t>(INT32_MAX)) {
      lt::fail("lt_gather_create_sized: more than 2^31 positions or outputs");
    }
    g->starts.assign(sizes.size() + 1, 0);
    g->out_of.resize(static_cast<size_t>(total));
    for (size_t b = 0; b < sizes.size(); ++b) {
      g->starts[b + 1] = g->starts[b] + sizes[b];
      std::fill(g->out_of.begin() + g->starts[b], g->out_of.begin() + g->starts[b + 1], static_cast<int32_t>(b));
    }
  }
  *out = g.release();
}

void gather_create(const char* const* names, int64_t n_cols, int64_t address_col, int64_t batch_size,
                   int64_t total_rows, lt_gather** out) {
  if (out == nullptr) lt::fail("lt_gather_create: out is null");
  *out = nullptr;
  if (batch_size <= 0) lt::fail("lt_gather_create: batch size must be > 0");
  if (total_rows < 0) lt::fail("lt_gather_create: total rows must be >= 0");
  const int64_t n_out = (total_rows + batch_size - 1) / batch_size;
  std::vector<int64_t> sizes(static_cast<size_t>(n_out));
  for (int64_t b = 0; b < n_out; ++b) sizes[b] = std::min(batch_size, total_rows - b * batch_size);
  gather_init(names, n_cols, address_col, sizes, batch_size, out);
}

void gather_create_sized(const char* const* names, int64_t n_cols, int64_t address_col, const int64_t* sizes,
                         int64_t n_out, lt_gather** out) {
  if (out == nullptr) lt::fail("lt_gather_create_sized: out is null");
  *out = nullptr;
  if (n_out < 0 || (n_out > 0 && sizes == nullptr)) lt::fail("lt_gather_create_sized: bad output sizes");
  std::vector<int64_t> v(sizes, sizes + n_out);
  for (int64_t s : v) {
    if (s <= 0) lt::fail("lt_gather_create_sized: every output needs at least one row");
  }
  gather_init(names, n_cols, address_col, v, 0, out);
}

void gather_merge(lt_gather* g, const lt_batch* src, const char* addr_col, const int64_t* want_addr,
                  const int64_t* want_pos, int64_t n_want, int64_t* cursor) {
  check_src(g, src, "lt_gather_merge");
  if (addr_col == nullptr || cursor == nullptr) lt::fail("lt_gather_merge: address column or cursor is null");
  if (n_want < 0 || *cursor < 0 || *cursor > n_want) lt::fail("lt_gather_merge: cursor out of range");
  if (n_want > 0 && (want_addr == nullptr || want_pos == nullptr)) lt::fail("lt_gather_merge: wanted rows are null");
  const int64_t ai = find_column(src, addr_col);
  if (ai < 0) lt::fail(std::string("lt_gather_merge: the source batch has no column '") + addr_col + "'");
  const lt::ColumnView a = lt::describe_column(&src->array, &src->schema, ai);
  if ((a.elem != lt::Elem::U64 && a.elem != lt::Elem::I64) || a.fixed_list || a.null_rows > 0) {
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
  const lt::ColumnView a = lt::describe_column(&src->array, &src->schema, ai);
  if ((a.elem != lt::Elem::U64 && a.elem != lt::Elem::I64) || a.fixed_list || a.null_rows > 0) {
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
  // A position's source batch: a table of the source at every 2^shift-th position, 2^shift no longer than the
  // batches' average length (at most 2 entries per batch), then a walk forward, a step or so on average (no binary
  // search per row; a cache of several fragments has batches of several lengths, a fragment's last one short).
  const int64_t average = end / n_srcs;
  int shift = 0;
  while ((int64_t{2} << shift) <= average) ++shift;
  std::vector<int32_t> block_src(static_cast<size_t>((end >> shift) + 1));
  for (size_t b = 0, src = 0; b < block_src.size(); ++b) {
    const int64_t p0 = static_cast<int64_t>(b) << shift;
    while (src + 1 < static_cast<size_t>(n_srcs) && starts[src + 1] <= p0) ++src;
    block_src[b] = static_cast<int32_t>(src);
  }
  parallel_slices(n, [&](int64_t from, int64_t to) {
    std::vector<int32_t> src_of(static_cast<size_t>(to - from));
    std::vector<int64_t> count(static_cast<size_t>(n_srcs), 0);
    for (int64_t i = from; i < to; ++i) {
      const int64_t p = positions[i];
      int32_t s = block_src[static_cast<size_t>(p >> shift)];
      while (starts[s + 1] <= p) ++s;
      src_of[i - from] = s;
      ++count[s];
    }
    std::vector<std::vector<Pair>> per(static_cast<size_t>(n_srcs));
    for (int64_t s = 0; s < n_srcs; ++s) per[s].reserve(static_cast<size_t>(count[s]));
    for (int64_t i = from; i < to; ++i) {
      const int32_t s = src_of[i - from];
      per[s].push_back({positions[i] - starts[s], dst_pos[i]});
    }
    for (int64_t s = 0; s < n_srcs; ++s) copy_pairs(g, srcs[s], per[s]);
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

void gather_finish(lt_gather* g, int64_t index, lt_batch** out) {
  if (out == nullptr) lt::fail("lt_gather_finish: out is null");
  *out = nullptr;
  if (g == nullptr) lt::fail("lt_gather_finish: gather is null");
  if (index < 0 || index >= static_cast<int64_t>(g->outs.size())) lt::fail("lt_gather_finish: index out of range");
  if (!g->bound) lt::fail_state("lt_gather_finish: no source batch was gathered (layout unknown)");
  OutBatch& o = g->outs[index];
  if (o.finished) lt::fail_state("lt_gather_finish: output " + std::to_string(index) + " was already finished");
  const int64_t data_cols = std::count_if(g->cols.begin(), g->cols.end(), [](const OutColumn& c) { return !c.address; });
  const int64_t want = data_cols > 0 ? o.rows : 0;
  if (data_cols > 0 && o.written.load() != want) {
    lt::fail_state("lt_gather_finish: output " + std::to_string(index) + " has " + std::to_string(o.written.load()) +
                   " of " + std::to_string(want) + " rows written");
  }
  const size_t C = g->cols.size();
  const int64_t R = o.rows;
  auto h = std::make_unique<ArrayHolder>();
  h->arrays.resize(2 * C);
  h->top_children.resize(C);
  h->list_children.resize(C);
  h->buffers.resize(2 * C + 1);
  for (size_t i = 0; i < C; ++i) {
    const OutColumn& c = g->cols[i];
    ArrowArray* a = &h->arrays[i];
    std::memset(a, 0, sizeof(ArrowArray));
    a->length = R;
    a->null_count = popcount_nulls(o.validity[i], R);
    a->release = &release_child;
    if (c.fixed_list) {
      ArrowArray* item = &h->arrays[C + i];
      std::memset(item, 0, sizeof(ArrowArray));
      item->length = R * c.width;
      item->null_count = popcount_nulls(o.item_validity[i], R * c.width);
      item->release = &release_child;
      h->buffers[C + i] = {item->null_count > 0 ? o.item_validity[i] : nullptr, o.values[i]};
      item->n_buffers = 2;
      item->buffers = h->buffers[C + i].data();
      h->list_children[i] = item;
      h->buffers[i] = {a->null_count > 0 ? o.validity[i] : nullptr};
      a->n_buffers = 1;
      a->n_children = 1;
      a->children = &h->list_children[i];
    } else {
      h->buffers[i] = {a->null_count > 0 ? o.validity[i] : nullptr, o.values[i]};
      a->n_buffers = 2;
    }
    a->buffers = h->buffers[i].data();
    h->top_children[i] = a;
  }
  h->buffers[2 * C] = {nullptr};
  ArrowArray top;
  std::memset(&top, 0, sizeof top);
  top.length = R;
  top.n_buffers = 1;
  top.buffers = h->buffers[2 * C].data();
  top.n_children = static_cast<int64_t>(C);
  top.children = h->top_children.data();
  h->block = o.block;
  top.private_data = h.release();
  top.release = &release_top;
  o.block = nullptr;  // the array owns it now
  o.finished = true;
  ArrowSchema view;
  lt::make_view(g->schema, &view);
  const int rc = lt_batch_import(&top, &view, out);  // consumes both, even on failure
  if (rc != LT_OK) throw lt::Error(static_cast<lt_status>(rc), lt_last_error());
}

void gather_release(lt_gather* g) noexcept {
  for (OutBatch& o : g->outs) std::free(o.block);
  if (g->schema != nullptr) lt::unref(g->schema);
  delete g;
}

// lt_batch_export_array: a shallow ArrowArray over the batch holding one reference.
struct ExportHolder {
  lt_batch* batch;
};

void release_export(ArrowArray* a) {
  auto* h = static_cast<ExportHolder*>(a->private_data);
  lt::batch_unref(h->batch);
  delete h;
  a->release = nullptr;
}

void export_array(lt_batch* b, ArrowArray* out) {
  if (out == nullptr) lt::fail("lt_batch_export_array: out is null");
  if (b == nullptr) lt::fail("lt_batch_export_array: batch is null");
  auto* h = new ExportHolder{b};
  lt::batch_ref(b);
  std::memcpy(out, &b->array, sizeof(ArrowArray));
  out->private_data = h;
  out->release = &release_export;
}

// Payload bytes of the viewed rows: values (and list items) plus validity bitmaps.
int64_t batch_buffer_bytes(const lt_batch* b) {
  int64_t total = 0;
  for (int64_t i = 0; i < b->array.n_children; ++i) {
    const lt::ColumnView v = lt::describe_column(&b->array, &b->schema, i);
    total += v.elem == lt::Elem::Bool ? (v.rows * v.width + 7) / 8 : v.rows * v.width * lt::elem_size(v.elem);
    if (v.row_validity != nullptr) total += (v.rows + 7) / 8;
    if (v.item_validity != nullptr) total += (v.rows * v.width + 7) / 8;
  }
  return total;
}

}  // namespace

extern "C" {

LT_API int lt_gather_create(const char* const* names, int64_t n_cols, int64_t address_col, int64_t batch_size,
                            int64_t total_rows, lt_gather** out) {
  return lt::guarded([&] { gather_create(names, n_cols, address_col, batch_size, total_rows, out); });
}

LT_API int lt_gather_create_sized(const char* const* names, int64_t n_cols, int64_t address_col,
                                  const int64_t* sizes, int64_t n_out, lt_gather** out) {
  return lt::guarded([&] { gather_create_sized(names, n_cols, address_col, sizes, n_out, out); });
}

LT_API int64_t lt_gather_num_outputs(const lt_gather* g) {
  if (g == nullptr) {
    lt::set_error("lt_gather_num_outputs: gather is null");
    return -1;
  }
  return static_cast<int64_t>(g->outs.size());
}

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

LT_API int lt_gather_finish(lt_gather* g, int64_t index, lt_batch** out) {
  return lt::guarded([&] { gather_finish(g, index, out); });
}

LT_API void lt_gather_release(lt_gather* g) {
  if (g != nullptr) gather_release(g);
}

LT_API int lt_batch_export_array(lt_batch* batch, struct ArrowArray* out) {
  return lt::guarded([&] { export_array(batch, out); });
}

LT_API int64_t lt_batch_buffer_bytes(const lt_batch* batch) {
  int64_t n = -1;
  const int rc = lt::guarded([&] {
    if (batch == nullptr) lt::fail("lt_batch_buffer_bytes: batch is null");
    n = batch_buffer_bytes(batch);
  });
  return rc == LT_OK ? n : -1;
}

}  // extern "C"

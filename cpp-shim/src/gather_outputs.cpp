// lt_gather's outputs: their sizes (create), the layout bound from the first
// source batch (one block per output, every buffer in it), the outputs' schema,
// and a finished output handed out as an lt_batch. See gather.hpp.
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "errors.hpp"
#include "gather.hpp"
#include "jagged.hpp"
#include "sizes.hpp"

using lt::gather::OutBatch;
using lt::gather::OutColumn;

namespace {

constexpr int64_t kAlign = 64;

int64_t round_up(int64_t n) { return (n + kAlign - 1) / kAlign * kAlign; }
int64_t bitmap_bytes(int64_t bits) { return round_up((bits + 7) / 8); }

struct ArrayHolder {
  void* block;
  std::vector<ArrowArray> arrays;  // [0, C): columns, [C, 2C): list children (unused slots for non-lists)
  std::vector<ArrowArray*> top_children;
  std::vector<ArrowArray*> list_children;
  std::vector<std::vector<const void*>> buffers;  // per array in `arrays`, then the top-level
  std::vector<lt::VarBuffers> var;                // per column: buffers of variable-length columns
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
  return lt::count_clear_bits(reinterpret_cast<const uint8_t*>(bits), 0, n);
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
    if (c.fixed_list || (c.varlen && !c.var.bytes)) {
      ArrowSchema* item = &holder->nodes[C + i];
      init_schema(item, keep(c.item_format), keep("item"), ARROW_FLAG_NULLABLE);
      holder->item_children[i] = item;
      s->n_children = 1;
      s->children = &holder->item_children[i];
    }
    holder->top_children[i] = s;
  }
  auto* ls = new lt_schema();  // its schema starts zeroed
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
  // Sizes checked for overflow (rows <= LT_MAX_GATHER_ROWS, but a list width is the source's); the pass with a
  // block repeats the sizing pass, which succeeded.
  constexpr const char* fn = "lt_gather: output layout";
  const int64_t R = o->rows;
  const size_t C = g->cols.size();
  std::vector<int64_t> validity(C), item_validity(C, -1), values(C);
  int64_t at = 0;
  for (size_t i = 0; i < C; ++i) {
    validity[i] = at;
    at = lt::add_size(at, bitmap_bytes(R), fn);
  }
  for (size_t i = 0; i < C; ++i) {
    if (g->cols[i].fixed_list) {
      item_validity[i] = at;
      at = lt::add_size(at, bitmap_bytes(lt::mul_size(R, g->cols[i].width, fn)), fn);
    }
  }
  for (size_t i = 0; i < C; ++i) {
    if (g->cols[i].elem == lt::Elem::Bool && !g->cols[i].varlen) {
      values[i] = at;
      at = lt::add_size(at, bitmap_bytes(lt::mul_size(R, g->cols[i].width, fn)), fn);
    }
  }
  at = round_up(at);
  for (size_t i = 0; i < C; ++i) {
    const OutColumn& c = g->cols[i];
    if (c.elem == lt::Elem::Bool || c.varlen) continue;  // variable-length values: at finish
    const int64_t es = lt::elem_size(c.elem);
    at = lt::add_size(at, es - 1, fn) / es * es;
    values[i] = at;
    at = lt::add_size(at, lt::mul_size(lt::mul_size(R, c.width, fn), es, fn), fn);
  }
  at = round_up(std::max<int64_t>(at, kAlign));
  if (block == nullptr) return at;
  o->var_once.reset(new std::once_flag[C]);
  for (size_t i = 0; i < C; ++i) {
    const OutColumn& c = g->cols[i];
    o->validity.push_back(block + validity[i]);
    std::memset(block + validity[i], 0xFF, static_cast<size_t>(bitmap_bytes(R)));
    o->var.emplace_back();
    o->var_done.emplace_back();
    if (c.varlen) {  // rows: sized at a first copy (var_rows), or laid out whole (var_done)
      o->values.push_back(nullptr);
      o->item_validity.push_back(nullptr);
      continue;
    }
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

// One output column's bytes per row, for messages: "column 'emb' (format '+w:4096', 16384 bytes per row)".
std::string describe_row(const OutColumn& c) {
  const int64_t es = lt::elem_size(c.elem);
  const std::string per_row = es > 0 ? std::to_string(c.width * es) + " bytes" : std::to_string(c.width) + " bits";
  return "column '" + c.name + "' (format '" + c.format + "', " + per_row + " per row)";
}

// Every output is sized (overflow-checked), their sum bounded by LT_MAX_OUTPUT_BYTES, before any is allocated.
void allocate_outputs(lt_gather* g) {
  std::vector<int64_t> bytes(g->outs.size());
  int64_t total = 0;
  for (size_t ob = 0; ob < g->outs.size(); ++ob) {
    bytes[ob] = layout_output(g, &g->outs[ob], nullptr);
    total = lt::add_size(total, bytes[ob], "lt_gather: outputs");
  }
  if (total > LT_MAX_OUTPUT_BYTES) {
    const OutColumn* widest = &g->cols[0];
    for (const OutColumn& c : g->cols) {
      if (c.width * std::max<int64_t>(lt::elem_size(c.elem), 1) >
          widest->width * std::max<int64_t>(lt::elem_size(widest->elem), 1)) {
        widest = &c;
      }
    }
    lt::check_output_bytes(total, "lt_gather: " + std::to_string(g->outs.size()) + " outputs of " +
                                      std::to_string(g->total_rows) + " rows in all (widest: " +
                                      describe_row(*widest) + ")");
  }
  for (size_t ob = 0; ob < g->outs.size(); ++ob) {
    OutBatch& o = g->outs[ob];
    o.block = std::aligned_alloc(kAlign, static_cast<size_t>(bytes[ob]));
    if (o.block == nullptr) throw std::bad_alloc();
    layout_output(g, &o, static_cast<char*>(o.block));
  }
}

}  // namespace

namespace lt::gather {

int64_t find_column(const lt_batch* src, const std::string& name) {
  for (size_t i = 0; i < src->names.size(); ++i) {
    if (src->names[i] == name) return static_cast<int64_t>(i);
  }
  return -1;
}

lt::VarRows& var_rows(const lt_gather* g, OutBatch& o, size_t ci) {
  lt::VarRows& r = o.var[ci];
  std::call_once(o.var_once[ci], [&] { r.resize(o.rows, !g->cols[ci].var.bytes); });
  return r;
}

void bind(lt_gather* g, const lt_batch* src) {
  std::call_once(g->bound_once, [&] {
    try {
      for (OutColumn& c : g->cols) {
        if (c.address) continue;
        const int64_t i = find_column(src, c.name);
        if (i < 0) lt::fail("lt_gather: the source batch has no column '" + c.name + "'");
        const ArrowSchema* cs = src->schema.children[i];
        if (lt::is_jagged_format(cs->format)) {
          const lt::JaggedView j = lt::describe_jagged(&src->array, &src->schema, i, 0, 0);
          c.varlen = true;
          c.format = j.format;
          c.var = lt::var_layout(j, cs->n_children == 1 ? cs->children[0]->format : nullptr);
          c.item_format = c.var.item_format;
          c.elem = c.var.item;
          continue;
        }
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

}  // namespace lt::gather

namespace {

// The gather's own memory for n_out outputs of n_cols columns (and, for sized outputs, a table of the output of
// each of `located` positions), bounded like its outputs.
void check_bookkeeping(const char* fn, int64_t n_out, int64_t n_cols, int64_t located) {
  const int64_t per_output = lt::add_size(static_cast<int64_t>(sizeof(OutBatch) + 2 * sizeof(int64_t)),
                                          lt::mul_size(std::max<int64_t>(n_cols, 0), 3 * sizeof(char*), fn), fn);
  const int64_t bytes = lt::add_size(lt::mul_size(n_out, per_output, fn), lt::mul_size(located, 4, fn), fn);
  lt::check_output_bytes(bytes, std::string(fn) + ": " + std::to_string(n_out) + " outputs (their bookkeeping)");
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
  int64_t total = 0;  // at most LT_MAX_GATHER_ROWS (checked by the callers)
  for (size_t b = 0; b < sizes.size(); ++b) {
    g->outs[b].rows = sizes[b];
    total += sizes[b];
  }
  g->total_rows = total;
  g->batch_size = batch_size;
  if (batch_size == 0) {
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
  if (total_rows > LT_MAX_GATHER_ROWS) {
    lt::fail("lt_gather_create: total rows " + std::to_string(total_rows) + " beyond " +
             std::to_string(LT_MAX_GATHER_ROWS) + " positions per gather (LT_MAX_GATHER_ROWS)");
  }
  const int64_t n_out = total_rows == 0 ? 0 : (total_rows - 1) / batch_size + 1;  // no overflow near INT64_MAX
  check_bookkeeping("lt_gather_create", n_out, n_cols, 0);
  std::vector<int64_t> sizes(static_cast<size_t>(n_out));
  for (int64_t b = 0; b < n_out; ++b) sizes[b] = std::min(batch_size, total_rows - b * batch_size);
  gather_init(names, n_cols, address_col, sizes, batch_size, out);
}

void gather_create_sized(const char* const* names, int64_t n_cols, int64_t address_col, const int64_t* sizes,
                         int64_t n_out, lt_gather** out) {
  if (out == nullptr) lt::fail("lt_gather_create_sized: out is null");
  *out = nullptr;
  if (n_out < 0 || (n_out > 0 && sizes == nullptr)) lt::fail("lt_gather_create_sized: bad output sizes");
  int64_t total = 0;
  for (int64_t i = 0; i < n_out; ++i) {
    if (sizes[i] <= 0) lt::fail("lt_gather_create_sized: every output needs at least one row");
    if (sizes[i] > LT_MAX_GATHER_ROWS - total) {
      lt::fail("lt_gather_create_sized: output sizes add up to more than " + std::to_string(LT_MAX_GATHER_ROWS) +
               " positions per gather (LT_MAX_GATHER_ROWS) at output " + std::to_string(i) + " of size " +
               std::to_string(sizes[i]));
    }
    total += sizes[i];
  }
  check_bookkeeping("lt_gather_create_sized", n_out, n_cols, total);
  gather_init(names, n_cols, address_col, std::vector<int64_t>(sizes, sizes + n_out), 0, out);
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
  h->var.resize(C);
  for (size_t i = 0; i < C; ++i) {
    const OutColumn& c = g->cols[i];
    ArrowArray* a = &h->arrays[i];
    std::memset(a, 0, sizeof(ArrowArray));
    a->length = R;
    a->release = &release_child;
    if (c.varlen && o.var_done[i].offsets != nullptr) {
      h->var[i] = std::move(o.var_done[i]);  // laid out whole, null rows' bits cleared (lt_gather_from_fragments)
    } else if (c.varlen) {
      if (!o.var[i].sized) lt::fail_state("lt_gather_finish: output " + std::to_string(index) + " has no rows");
      // first: it clears the validity bits of the null rows
      h->var[i] = lt::finish_var(o.var[i], R, c.var, c.name, reinterpret_cast<uint8_t*>(o.validity[i]));
    }
    a->null_count = popcount_nulls(o.validity[i], R);
    if (c.varlen) {
      lt::VarBuffers& vb = h->var[i];
      const void* validity = a->null_count > 0 ? o.validity[i] : nullptr;
      if (c.var.bytes) {
        h->buffers[i] = {validity, vb.offsets, vb.values};
        a->n_buffers = 3;
      } else {
        ArrowArray* item = &h->arrays[C + i];
        std::memset(item, 0, sizeof(ArrowArray));
        item->length = vb.n_items;
        item->null_count = vb.item_nulls;
        item->release = &release_child;
        h->buffers[C + i] = {vb.item_validity, vb.values};
        item->n_buffers = 2;
        item->buffers = h->buffers[C + i].data();
        h->list_children[i] = item;
        h->buffers[i] = {validity, vb.offsets};
        a->n_buffers = 2;
        a->n_children = 1;
        a->children = &h->list_children[i];
      }
    } else if (c.fixed_list) {
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
  o.var.clear();
  o.var_done.clear();  // the rows were laid out into the holder's buffers (their chunks go with the gather)
  h->block = o.block;
  top.private_data = h.release();
  top.release = &release_top;
  o.block = nullptr;  // the array owns it now
  o.finished = true;
  ArrowSchema view;
  lt::make_view(g->schema, &view);
  lt::import_batch(&top, &view, out);  // consumes both, even on failure
  (*out)->varlen_built = true;          // laid out above: offsets ascend, null rows hold no items
}

void gather_release(lt_gather* g) noexcept {
  for (OutBatch& o : g->outs) std::free(o.block);
  if (g->schema != nullptr) lt::unref(g->schema);
  delete g;
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

LT_API int lt_gather_finish(lt_gather* g, int64_t index, lt_batch** out) {
  return lt::guarded([&] { gather_finish(g, index, out); });
}

LT_API void lt_gather_release(lt_gather* g) {
  if (g != nullptr) gather_release(g);
}

}  // extern "C"

// lt_gather_from_fragments: a run of window positions gathered by row address from cached fragments, position
// after position. The other sources (gather_sources.cpp) go source by source and scatter each row to its
// position, for reads that come source by source (a scan, a take); a cache holds every row at once, so this one
// walks the destination in order instead: every store is sequential, every load is a random read of the cache
// (prefetched ahead), a variable-length column of an output it covers whole is laid out at once (its offsets,
// then each row's bytes copied once into the final buffer, no chunk), and the outputs' bookkeeping is touched once
// per output instead of once per source batch. See gather.hpp and lance_torch.h.
#include <algorithm>
#include <climits>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "batch.hpp"
#include "errors.hpp"
#include "gather.hpp"
#include "gather_rows.hpp"
#include "source_index.hpp"

using lt::gather::OutBatch;
using lt::gather::OutColumn;
using lt::gather::clear_bit;
using lt::gather::copy_row;
using lt::gather::put_bit;
using lt::gather::bind;

namespace {

// Moves ahead whose source row is prefetched (the loads are random in the cache, the stores sequential).
constexpr int64_t kAhead = 32;

// The cached fragments, by fragment id: fragment f's rows are global positions [base[f], base[f] + rows[f]) of
// the sources laid end to end; its row offset o is position base[f] + o, or, when offsets[f] is set (a fragment
// with deleted rows: the ascending uint32 row offset of each cached row), base[f] + the index of o there.
struct Fragments {
  const int64_t* base;
  const int64_t* rows;
  const int64_t* offsets;  // addresses of uint32 arrays, 0 for none
  int64_t n_ids;

  // The global position of row address a, or -1 when no cached fragment holds it.
  int64_t position(uint64_t a) const {
    const uint64_t id = a >> 32;
    const int64_t off = static_cast<int64_t>(a & 0xFFFFFFFFu);
    if (id >= static_cast<uint64_t>(n_ids) || base[id] < 0) return -1;
    if (offsets[id] == 0) return off < rows[id] ? base[id] + off : -1;
    const auto* o = reinterpret_cast<const uint32_t*>(offsets[id]);
    const uint32_t* hit = std::lower_bound(o, o + rows[id], static_cast<uint32_t>(off));
    return hit != o + rows[id] && *hit == static_cast<uint32_t>(off) ? base[id] + (hit - o) : -1;
  }
};

// One output's share of the run: rows [row, row + n) of output `out` are run positions [at, at + n).
struct Span {
  size_t out;
  int64_t row;
  int64_t at;
  int64_t n;
};

std::vector<Span> spans_of(const lt_gather* g, int64_t dst_from, int64_t n) {
  std::vector<Span> spans;
  for (int64_t i = 0; i < n;) {
    const auto [ob, row] = lt::gather::locate(g, dst_from + i);
    const int64_t k = std::min(n - i, g->outs[static_cast<size_t>(ob)].rows - row);
    spans.push_back({static_cast<size_t>(ob), row, i, k});
    i += k;
  }
  return spans;
}

// Positions gathered together, every fixed-width column in turn, before the next ones: when a cache keeps a row's
// values together (packed rows), the first column's loads bring the row's cache line in and the other columns find
// it there (256 rows: at most 32 KiB of lines).
constexpr int64_t kChunk = 256;

// A fixed-width column's source batches, resolved once per gather call.
struct FixedSources {
  std::vector<lt::ColumnView> views;
  std::vector<const char*> base;  // row 0's values in each source
  std::vector<int64_t> stride;    // bytes from a row's values to the next row's in each source
  bool nulls = false;
};

FixedSources fixed_sources(std::vector<lt::ColumnView> views, const OutColumn& c) {
  FixedSources f;
  const int64_t es = c.elem == lt::Elem::Bool ? 0 : lt::elem_size(c.elem);
  for (const lt::ColumnView& v : views) {
    f.nulls = f.nulls || v.null_rows > 0 || v.null_items > 0;
    f.base.push_back(static_cast<const char*>(v.values) + v.first * es);
    f.stride.push_back(v.stride);
  }
  f.views = std::move(views);
  return f;
}

// Run positions [lo, hi) of fixed-width column ci: values, then null bits. spans[first] is the first span that ends
// after lo.
void copy_fixed(lt_gather* g, size_t ci, const FixedSources& fs, const std::vector<Span>& spans, size_t first,
                const int32_t* src, const int32_t* row, int64_t n, int64_t lo, int64_t hi) {
  const OutColumn& c = g->cols[ci];
  const std::vector<lt::ColumnView>& views = fs.views;
  const int64_t W = c.width;
  for (size_t k = first; k < spans.size() && spans[k].at < hi; ++k) {
    const Span& sp = spans[k];
    const int64_t from = std::max(lo, sp.at);
    const int64_t end = std::min(hi, sp.at + sp.n);
    if (from >= end) continue;
    if (c.elem == lt::Elem::Bool) {  // values start cleared (layout_output): set the bits that are on
      char* out = g->outs[sp.out].values[ci];
      for (int64_t i = from; i < end; ++i) {
        const lt::ColumnView& v = views[static_cast<size_t>(src[i])];
        const auto* bits = static_cast<const uint8_t*>(v.values);
        for (int64_t k = 0; k < W; ++k) {
          if (lt::bit_set(bits, v.first + row[i] * W + k)) put_bit(out, (sp.row + i - sp.at) * W + k, true);
        }
      }
    } else {
      const int64_t rb = W * lt::elem_size(c.elem);
      char* out = g->outs[sp.out].values[ci] + sp.row * rb;
      const char* const* base = fs.base.data();
      const int64_t* stride = fs.stride.data();
      for (int64_t i = from; i < end; ++i) {
        if (i + kAhead < n) {
          const auto s = static_cast<size_t>(src[i + kAhead]);
          __builtin_prefetch(base[s] + row[i + kAhead] * stride[s]);
        }
        const auto s = static_cast<size_t>(src[i]);
        copy_row(out + (i - sp.at) * rb, base[s] + row[i] * stride[s], rb);
      }
    }
    if (!fs.nulls) continue;
    OutBatch& o = g->outs[sp.out];
    for (int64_t i = from; i < end; ++i) {
      const lt::ColumnView& v = views[static_cast<size_t>(src[i])];
      const int64_t r = sp.row + i - sp.at;
      if (v.row_validity != nullptr && !lt::bit_set(v.row_validity, v.row_validity_first + row[i])) {
        clear_bit(o.validity[ci], r);
      }
      if (v.item_validity != nullptr) {
        for (int64_t k = 0; k < W; ++k) {
          if (!lt::bit_set(v.item_validity, v.item_validity_first + row[i] * W + k)) {
            clear_bit(o.item_validity[ci], r * W + k);
          }
        }
      }
    }
  }
}

// A whole output's rows of variable-length column ci laid out at once: every row's length (the sources' offsets,
// prefetched), the buffers, then every row's items copied once, in order, into the values (prefetched).
void lay_out_var(lt_gather* g, size_t ci, const std::vector<const lt::JaggedView*>& views, const Span& sp,
                 const int32_t* src, const int32_t* row, int64_t n) {
  const OutColumn& c = g->cols[ci];
  OutBatch& o = g->outs[sp.out];
  const int64_t R = sp.n;
  const int64_t es = c.var.item_size;
  std::unique_ptr<int64_t[]> first(new int64_t[2 * static_cast<size_t>(R)]);  // item index in the source's items
  int64_t* len = first.get() + R;                                              // items; -1: a null row
  int64_t total = 0;
  bool item_nulls = false;
  for (int64_t r = 0; r < R; ++r) {
    const int64_t i = sp.at + r;
    if (i + kAhead < n) {  // on into the next outputs' rows (the run's): no cold start at each output
      const lt::JaggedView& a = *views[static_cast<size_t>(src[i + kAhead])];
      __builtin_prefetch(static_cast<const char*>(a.offsets) + (a.offsets_first + row[i + kAhead]) * (a.large ? 8 : 4));
    }
    const lt::JaggedView& j = *views[static_cast<size_t>(src[i])];
    const int64_t f = j.offset(row[i]);
    const int64_t items = j.offset(row[i] + 1) - f;
    // a row with items is valid when null rows hold none (no read of the validity bitmap, a miss of its own)
    // (and a row without items null when every such row is), else the bitmap is read
    bool valid = true;
    if (j.null_rows > 0) {
      if (items > 0) {
        valid = j.null_rows_empty || j.row_valid(row[i]);
      } else {
        valid = !j.empty_rows_null && j.row_valid(row[i]);
      }
    }
    const int64_t k = valid ? items : 0;
    first[r] = j.items.first - j.begin + f;
    len[r] = valid ? k : -1;
    total += k;
    item_nulls = item_nulls || (k > 0 && j.item_nulls > 0);
  }
  lt::VarBuffers b = lt::var_buffers(R, total, c.var, item_nulls, c.name);
  auto* out = static_cast<char*>(b.values);
  auto* bits = static_cast<uint8_t*>(b.item_validity);
  auto* validity = reinterpret_cast<uint8_t*>(o.validity[ci]);  // this output's: no other call writes it
  int64_t off = 0;
  for (int64_t r = 0; r < R; ++r) {
    const int64_t i = sp.at + r;
    if (r + kAhead < R) {
      const lt::JaggedView& a = *views[static_cast<size_t>(src[i + kAhead])];
      __builtin_prefetch(static_cast<const char*>(a.items.values) + first[r + kAhead] * es);
    }
    lt::put_offset(b.offsets, c.var.large, r, off);
    if (len[r] < 0) {
      validity[r >> 3] &= static_cast<uint8_t>(~(1u << (r & 7)));
      continue;
    }
    const lt::JaggedView& j = *views[static_cast<size_t>(src[i])];
    const int64_t from = first[r] * es;
    const int64_t bytes = len[r] * es;
    const int64_t src_end = (j.items.first - j.begin + j.end) * es;  // the rows' bytes end here in the source
    lt::copy_var_bytes(out + off * es, static_cast<const char*>(j.items.values) + from, bytes,
                   from + lt::kVarSlack <= src_end);
    if (item_nulls && j.item_nulls > 0) {
      for (int64_t k = 0; k < len[r]; ++k) {
        if (!lt::bit_set(j.items.row_validity, first[r] + k)) {
          bits[(off + k) >> 3] &= static_cast<uint8_t>(~(1u << ((off + k) & 7)));
          ++b.item_nulls;
        }
      }
    }
    off += len[r];
  }
  lt::put_offset(b.offsets, c.var.large, R, off);
  o.var_done[ci] = std::move(b);
}

// lay_out_var for a binary / utf8 column whose every source has row slots (lt_batch_slot_column): a row's length,
// nullness and (up to 12) bytes are in its slot, one load (prefetched) where offsets, bytes and maybe validity are
// two or three; a longer row's bytes are read from its start in the slot (prefetched in the second pass).
void lay_out_slots(lt_gather* g, size_t ci, const std::vector<const lt::JaggedView*>& views,
                   const std::vector<std::pair<const char*, int64_t>>& slots, const Span& sp, const int32_t* src,
                   const int32_t* row, int64_t n) {
  const OutColumn& c = g->cols[ci];
  OutBatch& o = g->outs[sp.out];
  const int64_t R = sp.n;
  std::unique_ptr<int64_t[]> first(new int64_t[2 * static_cast<size_t>(R)]);  // byte in the source's data; -1: inline
  int64_t* len = first.get() + R;                                              // bytes; -1: a null row
  const auto slot_of = [&](int64_t i) {
    const auto& [base, stride] = slots[static_cast<size_t>(src[i])];
    return base + row[i] * stride;
  };
  int64_t total = 0;
  for (int64_t r = 0; r < R; ++r) {
    const int64_t i = sp.at + r;
    if (i + kAhead < n) __builtin_prefetch(slot_of(i + kAhead));
    const char* slot = slot_of(i);
    uint32_t l;
    std::memcpy(&l, slot, 4);
    if (l == lt::kNullSlot) {
      len[r] = -1;
      continue;
    }
    len[r] = l;
    if (l <= lt::kSlotInline) {
      first[r] = -1;
    } else {
      const lt::JaggedView& j = *views[static_cast<size_t>(src[i])];
      uint64_t start;
      std::memcpy(&start, slot + 8, 8);
      const auto begin = static_cast<uint64_t>(j.begin), end = static_cast<uint64_t>(j.end);
      if (start < begin || start > end || l > end - start) {  // no sum that could wrap
        lt::fail("lt_gather: column '" + c.name + "': a row slot points outside its batch's bytes");
      }
      first[r] = j.items.first - j.begin + static_cast<int64_t>(start);
    }
    total += l;
  }
  lt::VarBuffers b = lt::var_buffers(R, total, c.var, false, c.name);
  auto* out = static_cast<char*>(b.values);
  auto* validity = reinterpret_cast<uint8_t*>(o.validity[ci]);  // this output's: no other call writes it
  int64_t off = 0;
  for (int64_t r = 0; r < R; ++r) {
    const int64_t i = sp.at + r;
    if (r + kAhead < R && first[r + kAhead] >= 0) {
      __builtin_prefetch(static_cast<const char*>(views[static_cast<size_t>(src[i + kAhead])]->items.values) +
                         first[r + kAhead]);
    }
    lt::put_offset(b.offsets, c.var.large, r, off);
    if (len[r] < 0) {
      validity[r >> 3] &= static_cast<uint8_t>(~(1u << (r & 7)));
      continue;
    }
    if (first[r] < 0) {
      std::memcpy(out + off, slot_of(i) + 4, lt::kSlotInline);  // the values' slack holds the rest
    } else {
      const lt::JaggedView& j = *views[static_cast<size_t>(src[i])];
      const int64_t src_end = j.items.first - j.begin + j.end;  // the rows' bytes end here in the source
      lt::copy_var_bytes(out + off, static_cast<const char*>(j.items.values) + first[r], len[r],
                         first[r] + lt::kVarSlack <= src_end);
    }
    off += len[r];
  }
  lt::put_offset(b.offsets, c.var.large, R, off);
  o.var_done[ci] = std::move(b);
}

// Rows of variable-length column ci for part of an output (the run starts or ends inside it): copied into the
// gather's chunks like any source's rows, laid out at finish.
void copy_var_part(lt_gather* g, size_t ci, const std::vector<const lt::JaggedView*>& views, const Span& sp,
                   const int32_t* src, const int32_t* row) {
  OutBatch& o = g->outs[sp.out];
  lt::VarRows& rows = lt::gather::var_rows(g, o, ci);
  std::vector<std::vector<lt::VarMove>> per(views.size());  // one copy per source batch
  for (int64_t i = sp.at; i < sp.at + sp.n; ++i) {
    per[static_cast<size_t>(src[i])].push_back({row[i], &rows, sp.row + i - sp.at});
  }
  for (size_t s = 0; s < per.size(); ++s) {
    if (!per[s].empty()) lt::copy_var_rows(*views[s], g->cols[ci].var, g->chunks, per[s].data(), per[s].size());
  }
}

void gather_from_fragments(lt_gather* g, lt_batch* const* srcs, const int64_t* starts, int64_t n_srcs,
                           const Fragments& frags, const int64_t* addrs, int64_t n, int64_t dst_from,
                           int64_t* missing) {
  if (g == nullptr) lt::fail("lt_gather_from_fragments: gather is null");
  if (missing == nullptr) lt::fail("lt_gather_from_fragments: missing is null");
  *missing = -1;
  if (srcs == nullptr || starts == nullptr || n_srcs <= 0) lt::fail("lt_gather_from_fragments: no source batches");
  if (n < 0 || (n > 0 && addrs == nullptr) || dst_from < 0 || dst_from > g->total_rows - n) {
    lt::fail("lt_gather_from_fragments: positions out of range");
  }
  if (frags.n_ids < 0 || (frags.n_ids > 0 && (frags.base == nullptr || frags.rows == nullptr ||
                                              frags.offsets == nullptr))) {
    lt::fail("lt_gather_from_fragments: bad fragment table");
  }
  if (starts[0] != 0) lt::fail("lt_gather_from_fragments: source starts must begin at 0");
  for (int64_t s = 0; s < n_srcs; ++s) {
    if (srcs[s] == nullptr) lt::fail("lt_gather_from_fragments: a source batch is null");
    if (starts[s + 1] - starts[s] != srcs[s]->array.length) {
      lt::fail("lt_gather_from_fragments: source starts do not match the batch lengths");
    }
    if (srcs[s]->array.length > INT32_MAX) lt::fail("lt_gather_from_fragments: a source batch is too large");
  }
  const int64_t end = starts[n_srcs];
  for (int64_t f = 0; f < frags.n_ids; ++f) {
    if (frags.base[f] >= 0 && (frags.rows[f] < 0 || frags.base[f] > end - frags.rows[f])) {
      lt::fail("lt_gather_from_fragments: fragment " + std::to_string(f) + " lies outside the sources");
    }
  }
  if (n == 0) return;
  bind(g, srcs[0]);
  // 1. every address's source batch and row there
  const lt::gather::SourceIndex index(starts, n_srcs);
  std::unique_ptr<int32_t[]> src(new int32_t[2 * static_cast<size_t>(n)]);
  int32_t* row = src.get() + n;
  for (int64_t i = 0; i < n; ++i) {
    const int64_t p = frags.position(static_cast<uint64_t>(addrs[i]));
    if (p < 0) {
      *missing = i;
      return;
    }
    const int32_t s = index.of(p);
    src[i] = s;
    row[i] = static_cast<int32_t>(p - starts[s]);
  }
  // 2. variable-length columns one by one, output by output; fixed-width ones together, kChunk positions at a time
  const std::vector<Span> spans = spans_of(g, dst_from, n);
  std::vector<std::pair<size_t, FixedSources>> fixed;
  for (size_t ci = 0; ci < g->cols.size(); ++ci) {
    const OutColumn& c = g->cols[ci];
    if (c.address) continue;
    std::vector<int64_t> col(static_cast<size_t>(n_srcs));
    for (int64_t s = 0; s < n_srcs; ++s) {
      col[s] = lt::gather::find_column(srcs[s], c.name);
      if (col[s] < 0) lt::fail("lt_gather: a source batch has no column '" + c.name + "'");
    }
    if (c.varlen) {
      std::vector<const lt::JaggedView*> views(static_cast<size_t>(n_srcs));
      for (int64_t s = 0; s < n_srcs; ++s) {
        views[s] = &lt::batch_jagged(srcs[s], col[s]);
        if (views[s]->format != c.format || (!views[s]->bytes && views[s]->items.elem != c.var.item)) {
          lt::fail("lt_gather: column '" + c.name + "' has format '" + views[s]->format +
                   "' in a source batch but '" + c.format + "' in the first one");
        }
      }
      std::vector<std::pair<const char*, int64_t>> slots;  // every source's, or none
      for (int64_t s = 0; s < n_srcs && views[0]->bytes; ++s) {
        slots.push_back(lt::batch_slots(srcs[s], col[s]));
        if (slots.back().first == nullptr) {
          slots.clear();
          break;
        }
      }
      for (const Span& sp : spans) {
        if (sp.row == 0 && sp.n == g->outs[sp.out].rows && !slots.empty()) {
          lay_out_slots(g, ci, views, slots, sp, src.get(), row, n);
        } else if (sp.row == 0 && sp.n == g->outs[sp.out].rows) {
          lay_out_var(g, ci, views, sp, src.get(), row, n);
        } else {
          copy_var_part(g, ci, views, sp, src.get(), row);
        }
      }
      continue;
    }
    std::vector<lt::ColumnView> views;
    views.reserve(static_cast<size_t>(n_srcs));
    for (int64_t s = 0; s < n_srcs; ++s) {
      views.push_back(lt::batch_column(srcs[s], col[s]));
      const lt::ColumnView& v = views.back();
      if (v.elem != c.elem || v.fixed_list != c.fixed_list || v.width != c.width) {
        lt::fail("lt_gather: column '" + c.name + "' has format '" + v.format + "' in a source batch but '" +
                 c.format + "' in the first one");
      }
    }
    fixed.emplace_back(ci, fixed_sources(std::move(views), c));
  }
  size_t first = 0;  // the first span ending after lo
  for (int64_t lo = 0; lo < n; lo += kChunk) {
    const int64_t hi = std::min(n, lo + kChunk);
    while (spans[first].at + spans[first].n <= lo) ++first;
    for (const auto& [ci, fs] : fixed) copy_fixed(g, ci, fs, spans, first, src.get(), row, n, lo, hi);
  }
  for (const Span& sp : spans) g->outs[sp.out].written.fetch_add(sp.n, std::memory_order_relaxed);
}

}  // namespace

extern "C" {

LT_API int lt_gather_from_fragments(lt_gather* g, lt_batch* const* srcs, const int64_t* starts, int64_t n_srcs,
                                    const int64_t* frag_base, const int64_t* frag_rows, const int64_t* frag_offsets,
                                    int64_t n_frag_ids, const int64_t* addrs, int64_t n, int64_t dst_from,
                                    int64_t* missing) {
  return lt::guarded([&] {
    gather_from_fragments(g, srcs, starts, n_srcs, Fragments{frag_base, frag_rows, frag_offsets, n_frag_ids}, addrs,
                          n, dst_from, missing);
  });
}

}  // extern "C"

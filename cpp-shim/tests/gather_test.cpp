// Tests of lt_gather (the read planner's native half): a merge-join of scanned
// sources against wanted addresses, row copies from a take, gathers from several
// batches, the address column, exact output sizes, nulls and bools carried bit by
// bit, concurrent writers on disjoint positions, and the errors (missing and
// unordered addresses, missing or mismatched columns, unfinished outputs), and
// variable-length columns (utf8 and large_list rows, null rows and items).
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "../src/column.hpp"
#include "../src/source_index.hpp"
#include "arrow_fixtures.hpp"
#include "check.hpp"

namespace {

// A batch of `n` rows of `cols`, imported (the caller releases it).
lt_batch* imported(int64_t n, const std::vector<fx::Col>& cols) {
  ArrowArray a;
  ArrowSchema s;
  fx::make_batch(&a, &s, n, cols);
  lt_batch* b = nullptr;
  CHECK(lt_batch_import(&a, &s, &b) == LT_OK);
  return b;
}

// One source batch of `addrs.size()` rows: id = address low word * 10, x = id / 2 (null where id % 30 == 0),
// flag = id % 20 == 0, vec = (id, -id), _rowaddr = addrs (must be ascending for merges). `packed`: id, x and vec kept
// as packed rows of 20 bytes (id at 0, x at 8, vec at 12: lt_pack_rows), their values buffers slices of those rows
// marked with lt_batch_pack_column, as a disk-cache block of packed rows is.
lt_batch* source(const std::vector<int64_t>& addrs, bool packed = false) {
  const int64_t n = static_cast<int64_t>(addrs.size());
  std::vector<int64_t> id;
  std::vector<float> x;
  std::vector<int64_t> x_nulls;
  std::vector<uint8_t> flag(static_cast<size_t>(n / 8 + 1), 0);
  std::vector<float> vec;
  for (int64_t i = 0; i < n; ++i) {
    const int64_t v = (addrs[i] & 0xFFFFFFFF) * 10;
    id.push_back(v);
    x.push_back(static_cast<float>(v) / 2);
    if (v % 30 == 0) x_nulls.push_back(i);
    if (v % 20 == 0) flag[i / 8] |= static_cast<uint8_t>(1u << (i % 8));
    vec.push_back(static_cast<float>(v));
    vec.push_back(static_cast<float>(-v));
  }
  std::vector<uint8_t> id_b = fx::bytes_of(id), x_b = fx::bytes_of(x), vec_b = fx::bytes_of(vec);
  constexpr int64_t kStride = 20;
  if (packed) {  // each values buffer: the packed rows from its place on (row r at + r * 20)
    std::vector<uint8_t> rows(static_cast<size_t>(n * kStride) + 1, 0xEE);
    const void* srcs[] = {id.data(), x.data(), vec.data()};
    const int64_t bytes[] = {8, 4, 8};
    const int64_t at[] = {0, 8, 12};
    CHECK(lt_pack_rows(rows.data(), kStride, srcs, bytes, at, 3, n) == LT_OK);
    id_b.assign(rows.begin(), rows.end());
    x_b.assign(rows.begin() + 8, rows.end());
    vec_b.assign(rows.begin() + 12, rows.end());
  }
  std::vector<fx::Col> cols;
  cols.push_back({fx::new_array(n, 0, 0, {std::vector<uint8_t>(), id_b}), fx::new_schema("l", "id")});
  cols.push_back({fx::new_array(n, 0, static_cast<int64_t>(x_nulls.size()),
                                {x_nulls.empty() ? std::vector<uint8_t>() : fx::bitmap(n, x_nulls), x_b}),
                  fx::new_schema("f", "x")});
  cols.push_back({fx::new_array(n, 0, 0, {std::vector<uint8_t>(), flag}), fx::new_schema("b", "flag")});
  auto* items = fx::new_array(2 * n, 0, 0, {std::vector<uint8_t>(), vec_b});
  cols.push_back({fx::new_array(n, 0, 0, {std::vector<uint8_t>()}, {items}),
                  fx::new_schema("+w:2", "vec", {fx::new_schema("f", "item")})});
  cols.push_back(
      {fx::new_array(n, 0, 0, {std::vector<uint8_t>(), fx::bytes_of(addrs)}), fx::new_schema("L", "_rowaddr")});
  lt_batch* b = imported(n, cols);
  if (packed) {
    for (int64_t c : {0, 1, 3}) CHECK(lt_batch_pack_column(b, c, kStride) == LT_OK);
  }
  return b;
}

const char* const kNames[] = {"id", "x", "flag", "vec", "_rowaddr"};

lt_gather* gather(int64_t batch, int64_t total, int64_t n_cols = 5, int64_t address_col = 4) {
  lt_gather* g = nullptr;
  CHECK(lt_gather_create(kNames, n_cols, address_col, batch, total, &g) == LT_OK);
  return g;
}

bool bit(const void* bits, int64_t i) {
  return bits == nullptr || (static_cast<const uint8_t*>(bits)[i >> 3] >> (i & 7) & 1) != 0;
}

// Checks output batch `b` holds, row by row, the rows of the given addresses (as source() builds them).
void check_rows(lt_batch* b, const std::vector<int64_t>& addrs) {
  const int64_t n = static_cast<int64_t>(addrs.size());
  CHECK(lt_batch_num_rows(b) == n);
  ArrowArray a;
  CHECK(lt_batch_export_array(b, &a) == LT_OK);
  CHECK(a.n_children == 5);
  const auto* id = static_cast<const int64_t*>(a.children[0]->buffers[1]);
  const auto* x = static_cast<const float*>(a.children[1]->buffers[1]);
  const void* x_valid = a.children[1]->buffers[0];
  const void* flag = a.children[2]->buffers[1];
  const auto* vec = static_cast<const float*>(a.children[3]->children[0]->buffers[1]);
  const auto* addr = static_cast<const uint64_t*>(a.children[4]->buffers[1]);
  int64_t nulls = 0;
  for (int64_t i = 0; i < n; ++i) {
    const int64_t v = (addrs[i] & 0xFFFFFFFF) * 10;
    CHECK(id[i] == v);
    CHECK(bit(x_valid, i) == (v % 30 != 0));
    if (v % 30 != 0) CHECK(x[i] == static_cast<float>(v) / 2);
    nulls += v % 30 == 0;
    CHECK(bit(flag, i) == (v % 20 == 0));
    CHECK(vec[2 * i] == static_cast<float>(v) && vec[2 * i + 1] == static_cast<float>(-v));
    CHECK(addr[i] == static_cast<uint64_t>(addrs[i]));
  }
  CHECK(a.children[1]->null_count == nulls);
  a.release(&a);
}

std::vector<int64_t> range_addrs(int64_t frag, int64_t from, int64_t to) {
  std::vector<int64_t> v;
  for (int64_t i = from; i < to; ++i) v.push_back(frag << 32 | i);
  return v;
}

void test_merge_rows_and_exact_outputs() {
  const lt_stats_t before = [] {
    lt_stats_t s{};
    lt_stats(&s);
    return s;
  }();
  // The window: 7 positions in batches of 3 (3, 3, 1). Wanted order (position -> address):
  // 0: f0:5  1: f1:2  2: f0:1  3: f0:5 (again)  4: f1:7  5: f0:8  6: f0:0
  const std::vector<int64_t> order{0L << 32 | 5, 1L << 32 | 2, 0L << 32 | 1, 0L << 32 | 5,
                                   1L << 32 | 7, 0L << 32 | 8, 0L << 32 | 0};
  lt_gather* g = gather(3, 7);
  CHECK(lt_gather_num_outputs(g) == 3);
  // Fragment 0 by a scan of rows [0, 10) in two batches, merged against its sorted wanted addresses.
  std::vector<int64_t> want{0L << 32 | 0, 0L << 32 | 1, 0L << 32 | 5, 0L << 32 | 5, 0L << 32 | 8};
  std::vector<int64_t> pos{6, 2, 0, 3, 5};
  int64_t cursor = 0;
  lt_batch* s1 = source(range_addrs(0, 0, 4));
  lt_batch* s2 = source(range_addrs(0, 4, 10));
  CHECK(lt_gather_merge(g, s1, "_rowaddr", want.data(), pos.data(), 5, &cursor) == LT_OK);
  CHECK(cursor == 2);
  CHECK(lt_gather_merge(g, s2, "_rowaddr", want.data(), pos.data(), 5, &cursor) == LT_OK);
  CHECK(cursor == 5);
  // Nothing of output 2 (position 6 is done, but 0..5 are not all): outputs 0 and 1 are incomplete.
  lt_batch* out = nullptr;
  CHECK_ERR(lt_gather_finish(g, 0, &out), LT_ERR_STATE, "rows written");
  CHECK(out == nullptr);
  // Fragment 1 by a take: the take returns f1:2 and f1:7 (sorted), copied to positions 1 and 4.
  lt_batch* t = source({1L << 32 | 2, 1L << 32 | 7});
  std::vector<int64_t> src_rows{0, 1};
  std::vector<int64_t> dst{1, 4};
  CHECK(lt_gather_rows(g, t, src_rows.data(), dst.data(), 2) == LT_OK);
  CHECK(lt_gather_addresses(g, order.data(), 0, 7) == LT_OK);
  for (lt_batch* b : {s1, s2, t}) lt_batch_release(b);  // sources are borrowed only for the calls
  for (int64_t i = 0; i < 3; ++i) {
    CHECK(lt_gather_finish(g, i, &out) == LT_OK);
    const auto first = order.begin() + 3 * i;
    check_rows(out, std::vector<int64_t>(first, i == 2 ? order.end() : first + 3));
    lt_batch_release(out);
  }
  CHECK_ERR(lt_gather_finish(g, 1, &out), LT_ERR_STATE, "already finished");
  CHECK_ERR(lt_gather_finish(g, 3, &out), LT_ERR_INVALID_ARGUMENT, "index out of range");
  lt_gather_release(g);
  lt_stats_t after{};
  lt_stats(&after);
  CHECK(after.batches_imported - before.batches_imported == after.batches_released - before.batches_released);
}

void test_merge_dense() {
  // Fragment 0's wanted rows as a dense map over addresses [2, 12): entry a - 2 = 1 + destination position. The
  // scan returns rows 0..15 with 6 and 7 deleted (a gap), in two batches; rows outside the map are skipped.
  // Window positions: 0: f0:9  1: f0:2  2: f0:11  3: f0:5  4: f0:3 (every column: nulls, bools, lists).
  const std::vector<int64_t> order{9, 2, 11, 5, 3};
  std::vector<int32_t> dense(10, 0);
  for (size_t p = 0; p < order.size(); ++p) dense[static_cast<size_t>(order[p] - 2)] = static_cast<int32_t>(p + 1);
  lt_gather* g = gather(2, 5);
  std::vector<int64_t> first = range_addrs(0, 0, 6);
  std::vector<int64_t> second = range_addrs(0, 8, 16);
  lt_batch* s1 = source(first);
  lt_batch* s2 = source(second);
  int64_t found = -1;
  CHECK(lt_gather_merge_dense(g, s1, "_rowaddr", dense.data(), 2, 10, &found) == LT_OK);
  CHECK(found == 3);  // 2, 3, 5
  CHECK(dense[0] == 0 && dense[1] == 0 && dense[3] == 0 && dense[7] == 1 && dense[9] == 3);
  CHECK(lt_gather_merge_dense(g, s2, "_rowaddr", dense.data(), 2, 10, &found) == LT_OK);
  CHECK(found == 2);  // 9, 11
  for (int32_t e : dense) CHECK(e == 0);
  // Merging a source again finds nothing: its rows were found already.
  CHECK(lt_gather_merge_dense(g, s2, "_rowaddr", dense.data(), 2, 10, &found) == LT_OK);
  CHECK(found == 0);
  std::vector<int64_t> expect;
  for (int64_t a : order) expect.push_back(a);
  CHECK(lt_gather_addresses(g, expect.data(), 0, 5) == LT_OK);
  for (int64_t i = 0; i < 3; ++i) {
    lt_batch* out = nullptr;
    CHECK(lt_gather_finish(g, i, &out) == LT_OK);
    const auto from = expect.begin() + 2 * i;
    check_rows(out, std::vector<int64_t>(from, i == 2 ? expect.end() : from + 2));
    lt_batch_release(out);
  }
  lt_gather_release(g);
  // A wanted row no source holds stays nonzero (the caller reports it); finish refuses the incomplete output.
  g = gather(4, 2);
  std::vector<int32_t> gap{1, 0, 0, 0, 0, 0, 2};  // addresses 0:4 and 0:10: 0:10 is not in s1
  CHECK(lt_gather_merge_dense(g, s1, "_rowaddr", gap.data(), 4, 7, &found) == LT_OK);
  CHECK(found == 1 && gap[0] == 0 && gap[6] == 2);
  lt_batch* out = nullptr;
  CHECK_ERR(lt_gather_finish(g, 0, &out), LT_ERR_STATE, "rows written");
  // Errors: no address column, a destination out of range, a null map.
  CHECK_ERR(lt_gather_merge_dense(g, s1, "nope", gap.data(), 4, 7, &found), LT_ERR_INVALID_ARGUMENT,
            "no column 'nope'");
  std::vector<int32_t> far{9};
  CHECK_ERR(lt_gather_merge_dense(g, s1, "_rowaddr", far.data(), 0, 1, &found), LT_ERR_INVALID_ARGUMENT,
            "destination position 8 out of range");
  CHECK_ERR(lt_gather_merge_dense(g, s1, "_rowaddr", nullptr, 0, 3, &found), LT_ERR_INVALID_ARGUMENT,
            "bad wanted map");
  lt_gather_release(g);
  lt_batch_release(s1);
  lt_batch_release(s2);
}

void test_sized_outputs() {
  // Outputs of 3, 1 and 2 rows (a loader's workers each ending with a short batch): positions 0-2, 3, 4-5.
  const int64_t sizes[] = {3, 1, 2};
  lt_gather* g = nullptr;
  CHECK(lt_gather_create_sized(kNames, 5, 4, sizes, 3, &g) == LT_OK);
  CHECK(lt_gather_num_outputs(g) == 3);
  lt_batch* src = source(range_addrs(0, 0, 8));
  // position p gets source row 7 - p, half by a merge, half by row copies
  std::vector<int64_t> want{0L << 32 | 5, 0L << 32 | 6, 0L << 32 | 7};
  std::vector<int64_t> pos{2, 1, 0};
  int64_t cursor = 0;
  CHECK(lt_gather_merge(g, src, "_rowaddr", want.data(), pos.data(), 3, &cursor) == LT_OK);
  std::vector<int64_t> rows{4, 3, 2};
  std::vector<int64_t> dst{3, 4, 5};
  CHECK(lt_gather_rows(g, src, rows.data(), dst.data(), 3) == LT_OK);
  std::vector<int64_t> expect;
  for (int64_t p = 0; p < 6; ++p) expect.push_back(7 - p);
  CHECK(lt_gather_addresses(g, expect.data(), 0, 6) == LT_OK);
  int64_t first = 0;
  for (int64_t i = 0; i < 3; ++i) {
    lt_batch* out = nullptr;
    CHECK(lt_gather_finish(g, i, &out) == LT_OK);
    check_rows(out, std::vector<int64_t>(expect.begin() + first, expect.begin() + first + sizes[i]));
    first += sizes[i];
    lt_batch_release(out);
  }
  lt_gather_release(g);
  lt_batch_release(src);
  const int64_t bad[] = {2, 0};
  g = nullptr;
  CHECK_ERR(lt_gather_create_sized(kNames, 5, 4, bad, 2, &g), LT_ERR_INVALID_ARGUMENT, "at least one row");
  CHECK(g == nullptr);
  CHECK_ERR(lt_gather_create_sized(kNames, 5, 4, nullptr, 2, &g), LT_ERR_INVALID_ARGUMENT, "bad output sizes");
}

// Writes the addresses, finishes every output of `per` rows and checks it holds the rows of `order`; releases g.
void finish_and_check(lt_gather* g, const std::vector<int64_t>& order, int64_t per) {
  const auto n = static_cast<int64_t>(order.size());
  CHECK(lt_gather_addresses(g, order.data(), 0, n) == LT_OK);
  for (int64_t o = 0; o * per < n; ++o) {
    lt_batch* out = nullptr;
    CHECK(lt_gather_finish(g, o, &out) == LT_OK);
    check_rows(out, std::vector<int64_t>(order.begin() + o * per, order.begin() + std::min(n, o * per + per)));
    lt_batch_release(out);
  }
  lt_gather_release(g);
}

void test_from_batches() {
  // A memory cache of two chunks (rows [0, 4) and [4, 9)), gathered by global position in reverse.
  lt_batch* c0 = source(range_addrs(2, 0, 4));
  lt_batch* c1 = source(range_addrs(2, 4, 9));
  lt_batch* srcs[] = {c0, c1};
  const int64_t starts[] = {0, 4, 9};
  std::vector<int64_t> positions{8, 7, 6, 5, 4, 3, 2, 1, 0};
  std::vector<int64_t> dst{0, 1, 2, 3, 4, 5, 6, 7, 8};
  lt_gather* g = gather(9, 9);
  CHECK(lt_gather_from_batches(g, srcs, starts, 2, positions.data(), dst.data(), 9) == LT_OK);
  std::vector<int64_t> expect;
  for (int64_t p : positions) expect.push_back(2L << 32 | p);
  CHECK(lt_gather_addresses(g, expect.data(), 0, 9) == LT_OK);
  lt_batch* out = nullptr;
  CHECK(lt_gather_finish(g, 0, &out) == LT_OK);
  check_rows(out, expect);
  lt_batch_release(out);
  std::vector<int64_t> bad{9};
  CHECK_ERR(lt_gather_from_batches(g, srcs, starts, 2, bad.data(), dst.data(), 1), LT_ERR_INVALID_ARGUMENT, "");
  lt_gather_release(g);
  lt_batch_release(c0);
  lt_batch_release(c1);
  // Batches of 1, 7 and 1 rows (a fragment's short tail): every position still finds its batch.
  lt_batch* d[] = {source(range_addrs(3, 0, 1)), source(range_addrs(3, 1, 8)), source(range_addrs(3, 8, 9))};
  const int64_t dstarts[] = {0, 1, 8, 9};
  g = gather(9, 9);
  CHECK(lt_gather_from_batches(g, d, dstarts, 3, positions.data(), dst.data(), 9) == LT_OK);
  expect.clear();
  for (int64_t p : positions) expect.push_back(3L << 32 | p);
  CHECK(lt_gather_addresses(g, expect.data(), 0, 9) == LT_OK);
  CHECK(lt_gather_finish(g, 0, &out) == LT_OK);
  check_rows(out, expect);
  lt_batch_release(out);
  lt_gather_release(g);
  for (lt_batch* b : d) lt_batch_release(b);
}

void test_concurrent_disjoint_writers() {
  // Two threads copy interleaved positions (even / odd) of 4096 rows: bool and validity bits of neighbouring rows
  // share bytes, so they must be written atomically.
  const int64_t n = 4096;
  lt_batch* src = source(range_addrs(0, 0, n));
  lt_gather* g = gather(1000, n);
  auto writer = [&](int64_t parity) {
    std::vector<int64_t> rows;
    std::vector<int64_t> dst;
    for (int64_t i = parity; i < n; i += 2) {
      rows.push_back(n - 1 - i);  // position i gets source row n-1-i
      dst.push_back(i);
    }
    for (size_t k = 0; k < rows.size(); k += 64) {
      const int64_t m = std::min<int64_t>(64, static_cast<int64_t>(rows.size() - k));
      CHECK(lt_gather_rows(g, src, rows.data() + k, dst.data() + k, m) == LT_OK);
    }
  };
  std::thread a(writer, 0);
  std::thread b(writer, 1);
  a.join();
  b.join();
  std::vector<int64_t> expect;
  for (int64_t i = 0; i < n; ++i) expect.push_back(n - 1 - i);
  CHECK(lt_gather_addresses(g, expect.data(), 0, n) == LT_OK);
  CHECK(lt_gather_num_outputs(g) == 5);
  for (int64_t i = 0; i < 5; ++i) {
    lt_batch* out = nullptr;
    CHECK(lt_gather_finish(g, i, &out) == LT_OK);
    const int64_t from = 1000 * i;
    const int64_t to = std::min<int64_t>(n, from + 1000);
    check_rows(out, std::vector<int64_t>(expect.begin() + from, expect.begin() + to));
    lt_batch_release(out);
  }
  lt_gather_release(g);
  lt_batch_release(src);
}

void test_errors() {
  lt_gather* g = nullptr;
  CHECK_ERR(lt_gather_create(kNames, 5, 4, 0, 10, &g), LT_ERR_INVALID_ARGUMENT, "");
  CHECK(g == nullptr);
  g = gather(4, 8);
  lt_batch* out = nullptr;
  CHECK_ERR(lt_gather_finish(g, 0, &out), LT_ERR_STATE, "no source batch");
  CHECK_ERR(lt_gather_addresses(g, nullptr, 0, 0), LT_ERR_STATE, "");
  lt_batch* src = source(range_addrs(0, 3, 6));
  // A wanted address below the scanned range (deleted or out of range) is missing.
  std::vector<int64_t> want{0L << 32 | 1, 0L << 32 | 4};
  std::vector<int64_t> pos{0, 1};
  int64_t cursor = 0;
  CHECK_ERR(lt_gather_merge(g, src, "_rowaddr", want.data(), pos.data(), 2, &cursor), LT_ERR_INVALID_ARGUMENT,
            "row address 0:1 is not in the scanned range");
  CHECK_ERR(lt_gather_merge(g, src, "nope", want.data(), pos.data(), 2, &cursor), LT_ERR_INVALID_ARGUMENT,
            "no column 'nope'");
  int64_t past = 3;
  CHECK_ERR(lt_gather_merge(g, src, "_rowaddr", want.data(), pos.data(), 2, &past), LT_ERR_INVALID_ARGUMENT,
            "cursor out of range");
  lt_batch* unordered = source({0L << 32 | 5, 0L << 32 | 4});
  std::vector<int64_t> want2{0L << 32 | 5, 0L << 32 | 6};
  cursor = 0;
  CHECK_ERR(lt_gather_merge(g, unordered, "_rowaddr", want2.data(), pos.data(), 2, &cursor),
            LT_ERR_INVALID_ARGUMENT, "not ascending");
  std::vector<int64_t> rows{0};
  std::vector<int64_t> far{8};
  CHECK_ERR(lt_gather_rows(g, src, rows.data(), far.data(), 1), LT_ERR_INVALID_ARGUMENT, "");
  std::vector<int64_t> bad_row{3};
  std::vector<int64_t> dst0{0};
  CHECK_ERR(lt_gather_rows(g, src, bad_row.data(), dst0.data(), 1), LT_ERR_INVALID_ARGUMENT, "");
  lt_gather_release(g);
  // A source without one of the columns is refused, naming it.
  const char* const names[] = {"id", "missing"};
  CHECK(lt_gather_create(names, 2, -1, 4, 4, &g) == LT_OK);
  CHECK_ERR(lt_gather_rows(g, src, rows.data(), dst0.data(), 1), LT_ERR_INVALID_ARGUMENT, "no column 'missing'");
  lt_gather_release(g);
  lt_gather_release(nullptr);  // a no-op
  lt_batch_release(src);
  lt_batch_release(unordered);
}

void test_stack_of_gathered_columns_is_a_view() {
  // Three float32 columns (a, b, c) gathered into batches of 5 and 3 rows (odd sizes: no 64-byte padding helps):
  // each output's values lie back to back, so stacking them is a (3, R) view of the output, not a copy.
  const int64_t n = 8;
  std::vector<float> a, b, c;
  for (int64_t i = 0; i < n; ++i) {
    a.push_back(static_cast<float>(i));
    b.push_back(static_cast<float>(100 + i));
    c.push_back(static_cast<float>(200 + i));
  }
  std::vector<fx::Col> cols;
  for (auto* v : {&a, &b, &c}) {
    const char* name = v == &a ? "a" : v == &b ? "b" : "c";
    cols.push_back({fx::new_array(n, 0, 0, {std::vector<uint8_t>(), fx::bytes_of(*v)}), fx::new_schema("f", name)});
  }
  lt_batch* src = imported(n, cols);
  const char* const names[] = {"a", "b", "c"};
  lt_gather* g = nullptr;
  CHECK(lt_gather_create(names, 3, -1, 5, n, &g) == LT_OK);
  std::vector<int64_t> rows, dst;
  for (int64_t i = 0; i < n; ++i) {
    rows.push_back(n - 1 - i);
    dst.push_back(i);
  }
  CHECK(lt_gather_rows(g, src, rows.data(), dst.data(), n) == LT_OK);
  lt_batch_release(src);
  for (int64_t o = 0; o < 2; ++o) {
    lt_batch* out = nullptr;
    CHECK(lt_gather_finish(g, o, &out) == LT_OK);
    const int64_t R = lt_batch_num_rows(out);
    ArrowArray e;
    CHECK(lt_batch_export_array(out, &e) == LT_OK);
    const auto* va = static_cast<const float*>(e.children[0]->buffers[1]);
    CHECK(static_cast<const void*>(va + R) == e.children[1]->buffers[1]);
    CHECK(static_cast<const void*>(va + 2 * R) == e.children[2]->buffers[1]);
    for (int64_t r = 0; r < R; ++r) {
      const float want = static_cast<float>(n - 1 - (5 * o + r));
      CHECK(va[r] == want && va[R + r] == 100 + want && va[2 * R + r] == 200 + want);
    }
    e.release(&e);
    lt_stats_t before{};
    lt_stats(&before);
    const int64_t idx[] = {0, 1, 2};
    AtenTensorHandle t = nullptr;
    CHECK(lt_batch_stack_columns(out, idx, 3, -1, &t) == LT_OK);
    lt_stats_t after{};
    lt_stats(&after);
    CHECK(after.tensors_copied == before.tensors_copied);      // a view
    CHECK(after.tensors_created == before.tensors_created + 1);  // holding a batch reference
    // Out of order (c, a) is not back to back: one copy.
    const int64_t swapped[] = {2, 0};
    AtenTensorHandle t2 = nullptr;
    CHECK(lt_batch_stack_columns(out, swapped, 2, -1, &t2) == LT_OK);
    lt_stats_t copied{};
    lt_stats(&copied);
    CHECK(copied.tensors_copied == after.tensors_copied + 1);
    lt_batch_release(out);  // the view keeps the output alive
    CHECK(lt_tensor_delete(t2) == LT_OK);
    CHECK(lt_tensor_delete(t) == LT_OK);
  }
  lt_gather_release(g);
}

// Sizes are guarded before anything is allocated: positions beyond LT_MAX_GATHER_ROWS, sizes whose sum wraps, a
// gather whose bookkeeping or whose outputs would pass LT_MAX_OUTPUT_BYTES are refused at once, naming the size.
void test_size_guards() {
  lt_gather* g = nullptr;
  // 2^40 positions in two outputs (accepted before, then allocated at the first copy).
  CHECK_ERR(lt_gather_create(kNames, 5, 4, int64_t(1) << 39, int64_t(1) << 40, &g), LT_ERR_INVALID_ARGUMENT,
            "lt_gather_create: total rows 1099511627776 beyond 2147483647 positions per gather (LT_MAX_GATHER_ROWS)");
  CHECK(g == nullptr);
  // One output per position: 2^31 - 1 output records, refused before they are made.
  CHECK_ERR(lt_gather_create(kNames, 5, 4, 1, LT_MAX_GATHER_ROWS, &g), LT_ERR_INVALID_ARGUMENT,
            "lt_gather_create: 2147483647 outputs (their bookkeeping) needs");
  CHECK(std::string(lt_last_error()).find("beyond the limit of 4294967296 bytes per call (LT_MAX_OUTPUT_BYTES)") !=
        std::string::npos);
  CHECK(g == nullptr);
  // Four outputs of 2^62 rows: the sum wraps to 0 (accepted before).
  const int64_t wrap[] = {int64_t(1) << 62, int64_t(1) << 62, int64_t(1) << 62, int64_t(1) << 62};
  CHECK_ERR(lt_gather_create_sized(kNames, 5, 4, wrap, 4, &g), LT_ERR_INVALID_ARGUMENT,
            "output sizes add up to more than 2147483647 positions per gather (LT_MAX_GATHER_ROWS) at output 0 of "
            "size 4611686018427387904");
  const int64_t one_over[] = {LT_MAX_GATHER_ROWS, 1};
  CHECK_ERR(lt_gather_create_sized(kNames, 5, 4, one_over, 2, &g), LT_ERR_INVALID_ARGUMENT, "at output 1 of size 1");
  CHECK(g == nullptr);
  // The most positions, in 2048 outputs, are fine at create; their outputs (about 29 bytes a row, 62 GB in all)
  // are refused at the first copy, before any is allocated, and every later call says so again.
  CHECK(lt_gather_create(kNames, 5, 4, int64_t(1) << 20, LT_MAX_GATHER_ROWS, &g) == LT_OK);
  lt_batch* src = source(range_addrs(0, 0, 4));
  const int64_t row = 0;
  for (int attempt = 0; attempt < 2; ++attempt) {
    CHECK_ERR(lt_gather_rows(g, src, &row, &row, 1), LT_ERR_INVALID_ARGUMENT,
              "lt_gather: 2048 outputs of 2147483647 rows in all (widest: column 'id' (format 'l', 8 bytes per row))"
              " needs ");
    CHECK(std::string(lt_last_error()).find("(LT_MAX_OUTPUT_BYTES)") != std::string::npos);
  }
  lt_batch* out = nullptr;
  CHECK_ERR(lt_gather_finish(g, 0, &out), LT_ERR_STATE, "layout unknown");
  CHECK(out == nullptr);
  lt_gather_release(g);
  // Within the bound the same columns work, also with a batch size near INT64_MAX (one output; rounding the
  // output count up used to overflow there).
  g = gather(INT64_MAX, 4);
  CHECK(lt_gather_num_outputs(g) == 1);
  const int64_t rows[] = {0, 1, 2, 3}, pos[] = {3, 2, 1, 0};
  CHECK(lt_gather_rows(g, src, rows, pos, 4) == LT_OK);
  CHECK(lt_gather_addresses(g, pos, 0, 4) == LT_OK);
  CHECK(lt_gather_finish(g, 0, &out) == LT_OK);
  CHECK(lt_batch_num_rows(out) == 4);
  lt_batch_release(out);
  lt_gather_release(g);
  lt_batch_release(src);
}


// Variable-length rows of address low word v: s (utf8) = null if v % 7 == 3, "" if v % 5 == 0, else v % 4 + 1
// letters 'a' + v % 26; t (large_list<int64>) = v % 3 items v * 100 + k, item 1 null when v is even.
// With `tidy`, no valid row is empty (v % 5 == 0 gives "e" instead of "").
std::string var_s(int64_t v, bool tidy = false) {
  return v % 5 == 0 ? (tidy ? "e" : "") : std::string(static_cast<size_t>(v % 4 + 1), 'a' + v % 26);
}

// `null_bytes`: null rows of s hold bytes.
lt_batch* var_source(const std::vector<int64_t>& addrs, const char* s_format = "u", bool tidy = false,
                     bool null_bytes = true) {
  const int64_t n = static_cast<int64_t>(addrs.size());
  std::vector<int32_t> s_off{0};
  std::string s_data;
  std::vector<int64_t> s_nulls;
  std::vector<int64_t> t_off{0};
  std::vector<int64_t> t_items;
  std::vector<int64_t> t_null_items;
  for (int64_t i = 0; i < n; ++i) {
    const int64_t v = addrs[i] & 0xFFFFFFFF;
    if (v % 7 == 3) {
      s_nulls.push_back(i);
      if (null_bytes) s_data += "zz";  // a null row's bytes, which must not be copied
    } else {
      s_data += var_s(v, tidy);
    }
    s_off.push_back(static_cast<int32_t>(s_data.size()));
    for (int64_t k = 0; k < v % 3; ++k) {
      if (k == 1 && v % 2 == 0) t_null_items.push_back(static_cast<int64_t>(t_items.size()));
      t_items.push_back(v * 100 + k);
    }
    t_off.push_back(static_cast<int64_t>(t_items.size()));
  }
  std::vector<fx::Col> cols;
  cols.push_back({fx::new_array(n, 0, static_cast<int64_t>(s_nulls.size()),
                                {s_nulls.empty() ? std::vector<uint8_t>() : fx::bitmap(n, s_nulls),
                                 fx::bytes_of(s_off), fx::bytes_of(std::vector<char>(s_data.begin(), s_data.end()))}),
                  fx::new_schema(s_format, "s")});
  const auto n_items = static_cast<int64_t>(t_items.size());
  auto* items = fx::new_array(n_items, 0, static_cast<int64_t>(t_null_items.size()),
                              {t_null_items.empty() ? std::vector<uint8_t>() : fx::bitmap(n_items, t_null_items),
                               fx::bytes_of(t_items)});
  cols.push_back({fx::new_array(n, 0, 0, {std::vector<uint8_t>(), fx::bytes_of(t_off)}, {items}),
                  fx::new_schema("+L", "t", {fx::new_schema("l", "item")})});
  cols.push_back(
      {fx::new_array(n, 0, 0, {std::vector<uint8_t>(), fx::bytes_of(addrs)}), fx::new_schema("L", "_rowaddr")});
  return imported(n, cols);
}

// Checks output batch `b` holds the variable-length rows of the given addresses, offsets from 0.
void check_var_rows(lt_batch* b, const std::vector<int64_t>& addrs, bool tidy = false) {
  const int64_t n = static_cast<int64_t>(addrs.size());
  CHECK(lt_batch_num_rows(b) == n);
  ArrowArray a;
  CHECK(lt_batch_export_array(b, &a) == LT_OK);
  CHECK(a.n_children == 2);
  const ArrowArray* s = a.children[0];
  const ArrowArray* t = a.children[1];
  CHECK(s->n_buffers == 3 && t->n_buffers == 2 && t->n_children == 1);
  const auto* s_off = static_cast<const int32_t*>(s->buffers[1]);
  const auto* s_data = static_cast<const char*>(s->buffers[2]);
  const auto* t_off = static_cast<const int64_t*>(t->buffers[1]);
  const auto* t_items = static_cast<const int64_t*>(t->children[0]->buffers[1]);
  const void* t_valid = t->children[0]->buffers[0];
  int64_t nulls = 0;
  int64_t item_nulls = 0;
  CHECK(s_off[0] == 0 && t_off[0] == 0);
  for (int64_t i = 0; i < n; ++i) {
    const int64_t v = addrs[i] & 0xFFFFFFFF;
    const bool null = v % 7 == 3;
    nulls += null;
    CHECK(bit(s->buffers[0], i) == !null);
    const std::string want = null ? "" : var_s(v, tidy);
    CHECK(std::string(s_data + s_off[i], static_cast<size_t>(s_off[i + 1] - s_off[i])) == want);
    CHECK(t_off[i + 1] - t_off[i] == v % 3);
    for (int64_t k = 0; k < v % 3; ++k) {
      const bool item_null = k == 1 && v % 2 == 0;
      item_nulls += item_null;
      CHECK(bit(t_valid, t_off[i] + k) == !item_null);
      if (!item_null) CHECK(t_items[t_off[i] + k] == v * 100 + k);
    }
  }
  CHECK(s->null_count == nulls && t->null_count == 0);
  CHECK(t->children[0]->null_count == item_nulls && t->children[0]->length == t_off[n]);
  a.release(&a);
}

void test_variable_length_columns() {
  // Two fragments' sources (a merged scan and a take's rows) into outputs of 100 rows, from two threads writing
  // disjoint positions; every output exact, in the wanted order, null rows empty, null items kept.
  const int64_t n = 250;
  lt_batch* frag0 = var_source(range_addrs(0, 0, n));
  lt_batch* frag1 = var_source(range_addrs(1, 0, n));
  std::vector<int64_t> order;  // position p: fragment p % 2, row (p * 37) % n
  for (int64_t p = 0; p < n; ++p) order.push_back((p % 2) << 32 | ((p * 37) % n));
  const char* const names[] = {"s", "t"};
  lt_gather* g = nullptr;
  CHECK(lt_gather_create(names, 2, -1, 100, n, &g) == LT_OK);
  auto writer = [&](int64_t frag) {
    std::vector<int64_t> rows;
    std::vector<int64_t> dst;
    for (int64_t p = frag; p < n; p += 2) {
      rows.push_back(order[p] & 0xFFFFFFFF);
      dst.push_back(p);
    }
    for (size_t k = 0; k < rows.size(); k += 16) {
      const int64_t m = std::min<int64_t>(16, static_cast<int64_t>(rows.size() - k));
      CHECK(lt_gather_rows(g, frag == 0 ? frag0 : frag1, rows.data() + k, dst.data() + k, m) == LT_OK);
    }
  };
  std::thread a(writer, 0);
  std::thread b(writer, 1);
  a.join();
  b.join();
  for (int64_t i = 0; i < 3; ++i) {
    lt_batch* out = nullptr;
    CHECK(lt_gather_finish(g, i, &out) == LT_OK);
    const int64_t from = 100 * i;
    const int64_t to = std::min<int64_t>(n, from + 100);
    check_var_rows(out, std::vector<int64_t>(order.begin() + from, order.begin() + to));
    CHECK(lt_batch_buffer_bytes(out) > 0);
    lt_batch_release(out);  // the output's own buffers, freed with it
  }
  lt_gather_release(g);
  // A later source whose column has another format is refused, naming the column and both formats.
  lt_batch* binary = var_source(range_addrs(0, 0, 4), "z");  // binary where the first had utf8
  CHECK(lt_gather_create(names, 2, -1, 4, 4, &g) == LT_OK);
  std::vector<int64_t> rows{0, 1};
  std::vector<int64_t> dst{0, 1};
  std::vector<int64_t> dst2{2, 3};
  CHECK(lt_gather_rows(g, frag0, rows.data(), dst.data(), 2) == LT_OK);
  CHECK_ERR(lt_gather_rows(g, binary, rows.data(), dst2.data(), 2), LT_ERR_INVALID_ARGUMENT,
            "column 's' has format 'z' in this source batch but 'u'");
  lt_batch* out = nullptr;
  CHECK_ERR(lt_gather_finish(g, 0, &out), LT_ERR_STATE, "2 of 4 rows written");
  lt_gather_release(g);  // frees the rows copied so far
  lt_batch_release(binary);
  lt_batch_release(frag0);
  lt_batch_release(frag1);
}

// Long and short rows of a bytes column (0..82 bytes: the copies of at most 16 and 32 bytes, the plain ones, rows
// at a source's end), null rows holding bytes, empty rows: row v of `bytes_source` is null when v % 11 == 5, else
// (v * 7) % 83 bytes 'A' + (v + k) % 50.
std::string long_s(int64_t v) {
  std::string s;
  for (int64_t k = 0; k < (v * 7) % 83; ++k) s.push_back(static_cast<char>('A' + (v + k) % 50));
  return s;
}

template <typename O>
lt_batch* bytes_source(int64_t from, int64_t to, const char* format) {
  const int64_t n = to - from;
  std::vector<O> off{0};
  std::string data;
  std::vector<int64_t> nulls;
  for (int64_t v = from; v < to; ++v) {
    if (v % 11 == 5) {
      nulls.push_back(v - from);
      data += "null bytes";  // not copied
    } else {
      data += long_s(v);
    }
    off.push_back(static_cast<O>(data.size()));
  }
  std::vector<fx::Col> cols;
  cols.push_back({fx::new_array(n, 0, static_cast<int64_t>(nulls.size()),
                                {nulls.empty() ? std::vector<uint8_t>() : fx::bitmap(n, nulls), fx::bytes_of(off),
                                 fx::bytes_of(std::vector<char>(data.begin(), data.end()))}),
                  fx::new_schema(format, "s")});
  return imported(n, cols);
}

template <typename O>
void check_bytes_rows(lt_batch* b, const std::vector<int64_t>& values) {
  const int64_t n = static_cast<int64_t>(values.size());
  CHECK(lt_batch_num_rows(b) == n);
  ArrowArray a;
  CHECK(lt_batch_export_array(b, &a) == LT_OK);
  const ArrowArray* s = a.children[0];
  const auto* off = static_cast<const O*>(s->buffers[1]);
  const auto* data = static_cast<const char*>(s->buffers[2]);
  int64_t nulls = 0;
  CHECK(off[0] == 0);
  for (int64_t i = 0; i < n; ++i) {
    const bool null = values[i] % 11 == 5;
    nulls += null;
    CHECK(s->buffers[0] == nullptr ? !null : bit(s->buffers[0], i) == !null);
    CHECK(std::string(data + off[i], static_cast<size_t>(off[i + 1] - off[i])) == (null ? "" : long_s(values[i])));
  }
  CHECK(s->null_count == nulls);
  a.release(&a);
}

template <typename O>
void test_long_bytes_rows(const char* format) {
  // A cache's two batches read by three calls each (the batches described once, then reused), into outputs of 64
  // rows (the last shorter), in a scattered order that repeats rows; and the same rows taken row by row.
  const int64_t n0 = 170, n = 300;
  lt_batch* b0 = bytes_source<O>(0, n0, format);
  lt_batch* b1 = bytes_source<O>(n0, n, format);
  lt_batch* const srcs[] = {b0, b1};
  const int64_t starts[] = {0, n0, n};
  const int64_t total = 350;
  std::vector<int64_t> pos, dst;
  for (int64_t p = 0; p < total; ++p) {
    pos.push_back(p < 20 ? n - 1 - p : (p * 97) % n);  // the source's last rows first
    dst.push_back(p);
  }
  const char* const names[] = {"s"};
  for (int round = 0; round < 2; ++round) {
    lt_gather* g = nullptr;
    CHECK(lt_gather_create(names, 1, -1, 64, total, &g) == LT_OK);
    for (int64_t k = 0; k < total; k += 120) {
      const int64_t m = std::min<int64_t>(120, total - k);
      if (round == 0) {
        CHECK(lt_gather_from_batches(g, srcs, starts, 2, pos.data() + k, dst.data() + k, m) == LT_OK);
      } else {
        for (int64_t i = k; i < k + m; ++i) {
          const int64_t row = pos[i] < n0 ? pos[i] : pos[i] - n0;
          CHECK(lt_gather_rows(g, pos[i] < n0 ? b0 : b1, &row, &dst[i], 1) == LT_OK);
        }
      }
    }
    for (int64_t o = 0; o * 64 < total; ++o) {
      lt_batch* out = nullptr;
      CHECK(lt_gather_finish(g, o, &out) == LT_OK);
      check_bytes_rows<O>(out, std::vector<int64_t>(pos.begin() + o * 64, pos.begin() + std::min(total, o * 64 + 64)));
      lt_batch_release(out);
    }
    lt_gather_release(g);
  }
  lt_batch_release(b0);
  lt_batch_release(b1);
}

void test_malformed_offsets_refused_every_time() {
  // Offsets that decrease: refused by the gather's first read of the batch, and by every later one (a failed
  // description is not kept).
  std::vector<int32_t> off{0, 5, 3, 8};
  std::string data = "abcdefgh";
  std::vector<fx::Col> cols;
  cols.push_back({fx::new_array(3, 0, 0, {std::vector<uint8_t>(), fx::bytes_of(off),
                                          fx::bytes_of(std::vector<char>(data.begin(), data.end()))}),
                  fx::new_schema("u", "s")});
  lt_batch* b = imported(3, cols);
  const char* const names[] = {"s"};
  lt_gather* g = nullptr;
  CHECK(lt_gather_create(names, 1, -1, 3, 3, &g) == LT_OK);
  for (int64_t i = 0; i < 2; ++i) {
    const int64_t row = 0;
    CHECK_ERR(lt_gather_rows(g, b, &row, &i, 1), LT_ERR_INVALID_ARGUMENT, "offsets decrease");
  }
  lt_gather_release(g);
  lt_batch_release(b);
}

// Gathers 250 positions (the last ten rows backwards, then a stride of 37) of fragment 0, cached as the two batches
// `v` (rows [0, 100) and [100, 300) of var_source), into outputs of 64 rows by three runs: [0, 128) lays out two
// whole outputs at once, [128, 200) and [200, 250) share output 3 (rows copied into chunks, laid out at finish);
// checks every output row.
void gather_var_and_check(lt_batch* const* v, bool tidy) {
  const int64_t starts[] = {0, 100, 300};
  const int64_t base[] = {0};
  const int64_t rows[] = {300};
  const int64_t offsets[] = {0};
  const int64_t m = 250;
  std::vector<int64_t> want;
  for (int64_t p = 0; p < m; ++p) want.push_back(p < 10 ? 299 - p : (p * 37) % 300);
  const char* const names[] = {"s", "t"};
  lt_gather* g = nullptr;
  CHECK(lt_gather_create(names, 2, -1, 64, m, &g) == LT_OK);
  int64_t missing = -1;
  for (auto [from, count] : {std::pair<int64_t, int64_t>{0, 128}, {128, 72}, {200, 50}}) {
    CHECK(lt_gather_from_fragments(g, v, starts, 2, base, rows, offsets, 1, want.data() + from, count, from,
                                   &missing) == LT_OK);
    CHECK(missing == -1);
  }
  for (int64_t o = 0; o * 64 < m; ++o) {
    lt_batch* out = nullptr;
    CHECK(lt_gather_finish(g, o, &out) == LT_OK);
    check_var_rows(out, std::vector<int64_t>(want.begin() + o * 64, want.begin() + std::min(m, o * 64 + 64)), tidy);
    lt_batch_release(out);
  }
  lt_gather_release(g);
}

void test_from_fragments() {
  // Fixed-width columns: fragment 2 cached whole in two batches (rows [0, 4) and [4, 9)), fragment 5 cached without
  // its deleted rows (offsets 1, 3, 4, 7 and 2^31 + 5: uint32 order), fragment 3 not cached. A shuffled order with
  // repeats into outputs of 4 rows, from two threads whose runs start and end inside outputs.
  const int64_t big = (int64_t{1} << 31) + 5;
  std::vector<int64_t> f5{5L << 32 | 1, 5L << 32 | 3, 5L << 32 | 4, 5L << 32 | 7, 5L << 32 | big};
  lt_batch* srcs[] = {source(range_addrs(2, 0, 4)), source(range_addrs(2, 4, 9)), source(f5)};
  const int64_t starts[] = {0, 4, 9, 14};
  const int64_t base[] = {-1, -1, 0, -1, -1, 9};
  const int64_t rows[] = {0, 0, 9, 0, 0, 5};
  const std::vector<uint32_t> f5_offsets{1, 3, 4, 7, static_cast<uint32_t>(big)};
  const int64_t offsets[] = {0, 0, 0, 0, 0, reinterpret_cast<int64_t>(f5_offsets.data())};
  std::vector<int64_t> order{2L << 32 | 8, 5L << 32 | big, 2L << 32 | 0, 5L << 32 | 1, 2L << 32 | 4, 2L << 32 | 4,
                             5L << 32 | 7, 2L << 32 | 3, 2L << 32 | 5, 5L << 32 | 3, 2L << 32 | 1, 5L << 32 | 4,
                             2L << 32 | 8};
  const auto n = static_cast<int64_t>(order.size());
  lt_gather* g = gather(4, n);
  auto run = [&](int64_t from, int64_t count) {
    int64_t missing = 7;
    CHECK(lt_gather_from_fragments(g, srcs, starts, 3, base, rows, offsets, 6, order.data() + from, count, from,
                                   &missing) == LT_OK);
    CHECK(missing == -1);
  };
  std::thread a(run, 0, 6);
  std::thread b(run, 6, n - 6);
  a.join();
  b.join();
  finish_and_check(g, order, 4);
  // Addresses no cached fragment holds: a deleted row, an uncached fragment, past a fragment's end, past the ids.
  for (int64_t bad : {5L << 32 | 2, 3L << 32 | 0, 2L << 32 | 9, 6L << 32 | 0, 5L << 32 | (big + 1)}) {
    g = gather(4, 4);
    std::vector<int64_t> want{2L << 32 | 1, bad, 2L << 32 | 2};
    int64_t missing = -1;
    CHECK(lt_gather_from_fragments(g, srcs, starts, 3, base, rows, offsets, 6, want.data(), 3, 0, &missing) == LT_OK);
    CHECK(missing == 1);
    lt_gather_release(g);
  }
  g = gather(4, 4);
  int64_t missing = -1;
  CHECK_ERR(lt_gather_from_fragments(g, srcs, starts, 3, base, rows, offsets, 6, order.data(), 4, 1, &missing),
            LT_ERR_INVALID_ARGUMENT, "positions out of range");
  const int64_t bad_rows[] = {0, 0, 9, 0, 0, 6};  // fragment 5 would run past the sources
  CHECK_ERR(lt_gather_from_fragments(g, srcs, starts, 3, base, bad_rows, offsets, 6, order.data(), 4, 0, &missing),
            LT_ERR_INVALID_ARGUMENT, "lies outside the sources");
  lt_gather_release(g);
  for (lt_batch* s : srcs) lt_batch_release(s);
  // Variable-length columns (utf8 with null and empty rows, large_list with null items): outputs of 64 rows, run
  // [0, 128) lays out two whole outputs at once, runs [128, 200) and [200, 250) share output 3 (rows copied into
  // chunks, laid out at finish). Sources with and without empty valid rows, whose null rows hold bytes or not (rows
  // with items read without their validity bits when null rows hold none, rows without items when only null rows
  // are empty).
  for (int variant = 0; variant < 4; ++variant) {
    const bool tidy = variant & 1;
    const bool null_bytes = variant & 2;
    lt_batch* v[] = {var_source(range_addrs(0, 0, 100), "u", tidy, null_bytes),
                     var_source(range_addrs(0, 100, 300), "u", tidy, null_bytes)};
    gather_var_and_check(v, tidy);
    for (lt_batch* s : v) lt_batch_release(s);
  }
}
}  // namespace

// Packed rows (a disk-cache block whose fixed-width columns share rows): gathered by row address from fragments and
// by position from batches, every value and null as from separate columns; the refusals: bool columns, a stride
// shorter than a row, a column out of range, and the views that would read a packed column as one run (Arrow
// export, tensors); lt_pack_rows' own checks.
void test_packed_rows() {
  lt_batch* srcs[] = {source(range_addrs(2, 0, 4), true), source(range_addrs(2, 4, 9), true)};
  const int64_t starts[] = {0, 4, 9};
  const int64_t base[] = {-1, -1, 0};
  const int64_t rows[] = {0, 0, 9};
  const int64_t offsets[] = {0, 0, 0};
  std::vector<int64_t> order{2L << 32 | 8, 2L << 32 | 0, 2L << 32 | 4, 2L << 32 | 4, 2L << 32 | 3,
                             2L << 32 | 5, 2L << 32 | 1, 2L << 32 | 7, 2L << 32 | 6, 2L << 32 | 2};
  const auto n = static_cast<int64_t>(order.size());
  lt_gather* g = gather(4, n);
  int64_t missing = 7;
  CHECK(lt_gather_from_fragments(g, srcs, starts, 2, base, rows, offsets, 3, order.data(), n, 0, &missing) == LT_OK);
  CHECK(missing == -1);
  finish_and_check(g, order, 4);
  std::vector<int64_t> positions{8, 0, 4, 4, 3, 5, 1, 7, 6, 2};
  std::vector<int64_t> dst{0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  g = gather(10, 10);
  CHECK(lt_gather_from_batches(g, srcs, starts, 2, positions.data(), dst.data(), 10) == LT_OK);
  CHECK(lt_gather_addresses(g, order.data(), 0, n) == LT_OK);
  lt_batch* out = nullptr;
  CHECK(lt_gather_finish(g, 0, &out) == LT_OK);
  check_rows(out, order);
  lt_batch_release(out);
  lt_gather_release(g);

  lt_batch* b = source(range_addrs(1, 0, 5));
  CHECK_ERR(lt_batch_pack_column(b, 2, 20), LT_ERR_INVALID_ARGUMENT, "is bool");
  CHECK_ERR(lt_batch_pack_column(b, 0, 4), LT_ERR_INVALID_ARGUMENT, "stride 4 for column 'id' of 8 bytes a row");
  CHECK_ERR(lt_batch_pack_column(b, 5, 20), LT_ERR_INVALID_ARGUMENT, "out of range");
  CHECK_ERR(lt_batch_pack_column(nullptr, 0, 20), LT_ERR_INVALID_ARGUMENT, "batch is null");
  ArrowArray a;
  CHECK(lt_batch_export_array(b, &a) == LT_OK);  // nothing packed yet
  a.release(&a);
  lt_batch_release(b);
  CHECK_ERR(lt_batch_export_array(srcs[0], &a), LT_ERR_INVALID_ARGUMENT, "rows are packed");
  AtenTensorHandle t = nullptr;
  CHECK_ERR(lt_batch_column_tensor(srcs[0], 2, nullptr, &t), LT_ERR_INVALID_ARGUMENT, "rows are packed");
  const int64_t cols[] = {0, 1};
  CHECK_ERR(lt_batch_stack_columns(srcs[0], cols, 2, -1, &t), LT_ERR_INVALID_ARGUMENT, "rows are packed");
  for (lt_batch* s : srcs) lt_batch_release(s);

  std::vector<uint8_t> dstb(64);
  const int32_t one = 1;
  const void* p[] = {&one};
  const int64_t four[] = {4};
  const int64_t late[] = {5};
  CHECK_ERR(lt_pack_rows(dstb.data(), 8, p, four, late, 1, 2), LT_ERR_INVALID_ARGUMENT, "does not fit the row");
  CHECK_ERR(lt_pack_rows(dstb.data(), 0, p, four, four, 1, 2), LT_ERR_INVALID_ARGUMENT, "bad row count");
  CHECK(lt_pack_rows(dstb.data(), 8, p, four, four, 1, 0) == LT_OK);
}

// Row slots of a utf8 column (length and bytes inline, nulls marked; lt_pack_slots from the column's own buffers):
// whole outputs are laid out from the slots, partial ones from the offsets, every row and null as without slots;
// the refusals of lt_batch_slot_column and lt_pack_slots.
void test_row_slots() {
  lt_batch* v[] = {var_source(range_addrs(0, 0, 100)), var_source(range_addrs(0, 100, 300))};
  std::vector<std::vector<char>> mem;
  for (lt_batch* b : v) {
    ArrowArray a;
    CHECK(lt_batch_export_array(b, &a) == LT_OK);
    const ArrowArray* s = a.children[0];
    mem.emplace_back(static_cast<size_t>(a.length * 24), 0);
    CHECK(lt_pack_slots(mem.back().data(), 24, 8, s->buffers[1], 0, s->buffers[2],
                        static_cast<const uint8_t*>(s->buffers[0]), a.length) == LT_OK);
    a.release(&a);
    CHECK(lt_batch_slot_column(b, 0, mem.back().data() + 8, 24) == LT_OK);
  }
  gather_var_and_check(v, false);
  // a slot whose long row starts past the batch's bytes, or so far that start + length wraps: an error, no read
  for (uint64_t start : {uint64_t{1} << 40, ~uint64_t{0} - 5}) {
    std::vector<char> bad(100 * 16, 0);
    for (int r = 0; r < 100; ++r) {
      const uint32_t len = 13;
      std::memcpy(bad.data() + r * 16, &len, 4);
      std::memcpy(bad.data() + r * 16 + 8, &start, 8);
    }
    lt_batch* w = var_source(range_addrs(0, 0, 100));
    CHECK(lt_batch_slot_column(w, 0, bad.data(), 16) == LT_OK);
    const int64_t wstarts[] = {0, 100};
    const int64_t wbase[] = {0};
    const int64_t wrows[] = {100};
    const int64_t woffsets[] = {0};
    std::vector<int64_t> want{0, 1, 2, 3};
    const char* const names[] = {"s", "t"};
    lt_gather* g = nullptr;
    CHECK(lt_gather_create(names, 2, -1, 4, 4, &g) == LT_OK);
    int64_t missing = -1;
    CHECK_ERR(lt_gather_from_fragments(g, &w, wstarts, 1, wbase, wrows, woffsets, 1, want.data(), 4, 0, &missing),
              LT_ERR_INVALID_ARGUMENT, "a row slot points outside its batch's bytes");
    lt_gather_release(g);
    lt_batch_release(w);
  }
  CHECK_ERR(lt_batch_slot_column(v[0], 1, mem[0].data(), 16), LT_ERR_INVALID_ARGUMENT, "is not binary or utf8");
  CHECK_ERR(lt_batch_slot_column(v[0], 0, mem[0].data(), 8), LT_ERR_INVALID_ARGUMENT, "stride 8");
  CHECK_ERR(lt_batch_slot_column(v[0], 0, nullptr, 16), LT_ERR_INVALID_ARGUMENT, "slots are null");
  CHECK_ERR(lt_batch_slot_column(v[0], 9, mem[0].data(), 16), LT_ERR_INVALID_ARGUMENT, "out of range");
  const int32_t off[] = {0, 3};
  CHECK_ERR(lt_pack_slots(mem[0].data(), 24, 9, off, 0, "abc", nullptr, 1), LT_ERR_INVALID_ARGUMENT,
            "bad row count, stride or place");
  const int32_t back[] = {3, 1};
  CHECK_ERR(lt_pack_slots(mem[0].data(), 24, 0, back, 0, "abc", nullptr, 1), LT_ERR_INVALID_ARGUMENT, "has -2 bytes");
  for (lt_batch* b : v) lt_batch_release(b);
}

// SourceIndex, the gathers' position -> source batch map, on random layouts: a cache's (one block length, a short
// last block per fragment: the one-step exact table), random lengths, and empty batches (the walk).
void test_source_index() {
  std::mt19937_64 r(11);
  int wrong = 0;
  for (int t = 0; t < 4000; ++t) {
    const int n = 1 + static_cast<int>(r() % 40);
    const int mode = static_cast<int>(r() % 4);
    std::vector<int64_t> starts{0};
    for (int s = 0; s < n; ++s) {
      const int64_t len = mode == 0   ? static_cast<int64_t>(r() % 5)
                          : mode == 1 ? 1 + static_cast<int64_t>(r() % 100000)
                          : mode == 2 ? (s % 16 == 15 || s == n - 1 ? 1 + static_cast<int64_t>(r() % 70000) : 65536)
                                      : (r() % 3 == 0 ? 0 : 1 + static_cast<int64_t>(r() % 300));
      starts.push_back(starts.back() + len);
    }
    if (starts.back() == 0) continue;
    const lt::gather::SourceIndex index(starts.data(), n);
    for (int k = 0; k < 100; ++k) {
      const int64_t p = k == 0 ? 0 : k == 1 ? starts.back() - 1 : static_cast<int64_t>(r() % starts.back());
      const int32_t s = index.of(p);
      if (s < 0 || s >= n || starts[s] > p || p >= starts[s + 1]) ++wrong;
    }
  }
  CHECK(wrong == 0);
}

// count_clear_bits (the null counts of batches, gathered outputs and jagged views) against a bit-by-bit count, on
// random ranges: every start offset within a word, short and long runs, dense and sparse nulls, none and all.
void test_count_clear_bits() {
  std::mt19937_64 r(5);
  int wrong = 0;
  for (int t = 0; t < 20000; ++t) {
    const int64_t first = static_cast<int64_t>(r() % 70);
    const int64_t n = static_cast<int64_t>(r() % 300);
    const int mode = static_cast<int>(r() % 4);
    std::vector<uint8_t> bits(static_cast<size_t>((first + n + 7) / 8 + 1));
    for (uint8_t& b : bits) {
      b = mode == 0 ? 0xFF : mode == 1 ? 0 : mode == 2 ? static_cast<uint8_t>(r()) : static_cast<uint8_t>(r() | r() | r());
    }
    int64_t want = 0;
    int64_t want_first = -1;
    for (int64_t i = 0; i < n; ++i) {
      if (!lt::bit_set(bits.data(), first + i) && want++ == 0) want_first = i;
    }
    int64_t got_first = -1;
    if (lt::count_clear_bits(bits.data(), first, n, &got_first) != want || got_first != want_first) ++wrong;
    if (lt::count_clear_bits(bits.data(), first, n) != want) ++wrong;
  }
  CHECK(wrong == 0);
}

void run_gather_tests() {
  test_stack_of_gathered_columns_is_a_view();
  test_merge_rows_and_exact_outputs();
  test_merge_dense();
  test_sized_outputs();
  test_from_batches();
  test_from_fragments();
  test_source_index();
  test_packed_rows();
  test_row_slots();
  test_count_clear_bits();
  test_concurrent_disjoint_writers();
  test_errors();
  test_size_guards();
  test_variable_length_columns();
  test_long_bytes_rows<int32_t>("u");
  test_long_bytes_rows<int64_t>("U");
  test_long_bytes_rows<int32_t>("z");
  test_malformed_offsets_refused_every_time();
}

// Tests of lt_batch_column_jagged and lt_batch_column_padded: zero-copy values and
// offsets (data pointers are the Arrow buffers), sliced arrays, nulls, bytes,
// padding values/lengths/masks and the errors naming column and row.
#include <cstdint>
#include <string>
#include <vector>

#include "arrow_fixtures.hpp"
#include "check.hpp"
#include "tensor_inspect.hpp"

namespace {

using namespace tx;

// list<int32> ("+l") or large_list ("+L") column with the given offsets over `items` (child offset child_off).
template <typename O, typename T>
fx::Col list_col(const char* name, const char* fmt, const char* item_fmt, std::vector<O> offsets, std::vector<T> items,
                 int64_t array_off, int64_t child_off, const std::vector<int64_t>& null_rows = {},
                 const std::vector<int64_t>& null_items = {}) {
  const int64_t n_items = static_cast<int64_t>(items.size());
  auto* child = fx::new_array(n_items - child_off, child_off, static_cast<int64_t>(null_items.size()),
                              {null_items.empty() ? std::vector<uint8_t>() : fx::bitmap(n_items, null_items),
                               fx::bytes_of(items)});
  const int64_t len = static_cast<int64_t>(offsets.size()) - 1;
  auto* a = fx::new_array(len - array_off, array_off, static_cast<int64_t>(null_rows.size()),
                          {null_rows.empty() ? std::vector<uint8_t>() : fx::bitmap(len, null_rows), fx::bytes_of(offsets)},
                          {child});
  return {a, fx::new_schema(fmt, name, {fx::new_schema(item_fmt, "item")})};
}

lt_batch* import(std::vector<fx::Col> cols, int64_t rows, int64_t struct_off = 0) {
  ArrowArray a;
  ArrowSchema s;
  fx::make_batch(&a, &s, rows, cols, struct_off);
  lt_batch* b = nullptr;
  CHECK(lt_batch_import(&a, &s, &b) == LT_OK);
  return b;
}

void del(std::initializer_list<AtenTensorHandle> hs) {
  for (AtenTensorHandle h : hs) {
    if (h != nullptr) lt_tensor_delete(h);
  }
}

void test_list_zero_copy() {
  // 6 rows: [10,11] [] [12,13,14] [15] [16,17,18] [19]; child offset 1 (item 0 is a dummy).
  std::vector<int32_t> items{-1, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19};
  fx::Col c = list_col<int32_t, int32_t>("tok", "+l", "i", {0, 2, 2, 5, 6, 9, 10}, items, 0, 1);
  const char* child_base = static_cast<const char*>(c.array->children[0]->buffers[1]);
  const void* off_base = c.array->buffers[1];
  const lt_stats_t before = stats();
  lt_batch* b = import({c}, 6);
  AtenTensorHandle v = nullptr, o = nullptr;
  CHECK(lt_batch_column_jagged(b, 0, nullptr, &v, &o) == LT_OK);
  CHECK(data(v) == child_base + 1 * sizeof(int32_t));  // child offset applied, no copy
  CHECK(data(o) == off_base);                            // offsets start at 0: the Arrow buffer itself
  CHECK(sizes(v) == std::vector<int64_t>{10} && sizes(o) == std::vector<int64_t>{7});
  CHECK(dtype(v) == T.dtype_int32() && dtype(o) == T.dtype_int32());
  CHECK(values<int32_t>(v)[9] == 19);
  CHECK(stats().tensors_copied == before.tensors_copied);
  del({v, o});

  // Rows [2, 5): the values view starts at row 2's first item; offsets are rebased (a copy of 4 ints).
  lt_jagged_options range{2, 3, 0, 0.0};
  CHECK(lt_batch_column_jagged(b, 0, &range, &v, &o) == LT_OK);
  CHECK(data(v) == child_base + (1 + 2) * sizeof(int32_t));
  CHECK((values<int32_t>(o) == std::vector<int32_t>{0, 3, 4, 7}));
  CHECK((values<int32_t>(v) == std::vector<int32_t>{12, 13, 14, 15, 16, 17, 18}));
  del({v, o});
  lt_jagged_options outside{4, 3, 0, 0.0};
  CHECK_ERR(lt_batch_column_jagged(b, 0, &outside, &v, &o), LT_ERR_INVALID_ARGUMENT, "outside the batch");
  CHECK(v == nullptr && o == nullptr);
  // Fixed-width accessors refuse the column (naming it).
  CHECK_ERR(lt_batch_column_tensor(b, 0, nullptr, &v), LT_ERR_INVALID_ARGUMENT, "column 'tok'");
  lt_batch_release(b);
}

void test_sliced_arrays() {
  // Struct offset 1 and array offset 1: the batch's rows are rows 2.. of the offsets buffer.
  std::vector<int64_t> offsets{0, 1, 3, 3, 6};
  fx::Col c = list_col<int64_t, double>("emb", "+L", "g", offsets, {0.5, 1.5, 2.5, 3.5, 4.5, 5.5}, 1, 0);
  const char* child_base = static_cast<const char*>(c.array->children[0]->buffers[1]);
  lt_batch* b = import({c}, 2, 1);
  AtenTensorHandle v = nullptr, o = nullptr;
  CHECK(lt_batch_column_jagged(b, 0, nullptr, &v, &o) == LT_OK);
  CHECK(data(v) == child_base + 3 * sizeof(double));
  CHECK(dtype(o) == T.dtype_int64() && dtype(v) == T.dtype_float64());
  CHECK((values<int64_t>(o) == std::vector<int64_t>{0, 0, 3}));
  CHECK((values<double>(v) == std::vector<double>{3.5, 4.5, 5.5}));
  del({v, o});
  lt_batch_release(b);
}

void test_bytes() {
  // utf8 ("u"): 3 rows "ab", "", "cde"; binary offsets index the data buffer directly.
  std::vector<int32_t> offsets{0, 2, 2, 5};
  std::string text = "abcde";
  std::vector<uint8_t> bytes(text.begin(), text.end());
  auto* a = fx::new_array(3, 0, 0, {std::vector<uint8_t>(), fx::bytes_of(offsets), fx::bytes_of(bytes)});
  fx::Col c{a, fx::new_schema("u", "caption")};
  const void* data_base = a->buffers[2];
  lt_batch* b = import({c}, 3);
  AtenTensorHandle v = nullptr, o = nullptr;
  CHECK(lt_batch_column_jagged(b, 0, nullptr, &v, &o) == LT_OK);
  CHECK(data(v) == data_base && dtype(v) == T.dtype_uint8() && sizes(v) == std::vector<int64_t>{5});
  CHECK(values<uint8_t>(v)[4] == 'e');
  del({v, o});
  lt_pad_options pad{4, 0, 0, 0.0, 0.0, 0, 0};
  AtenTensorHandle p = nullptr, l = nullptr, m = nullptr;
  CHECK(lt_batch_column_padded(b, 0, &pad, &p, &l, &m) == LT_OK);
  CHECK((values<uint8_t>(p) == std::vector<uint8_t>{'a', 'b', 0, 0, 0, 0, 0, 0, 'c', 'd', 'e', 0}));
  del({p, l, m});
  // Bytes padded to 2^31 - 1: each of padded and mask stays under 4 GiB on its own, the call's 12.9 GB does not.
  lt_pad_options longest{INT32_MAX, 0, 0, 0.0, 0.0, 0, 0};
  CHECK_ERR(lt_batch_column_padded(b, 0, &longest, &p, &l, &m), LT_ERR_INVALID_ARGUMENT,
            "column 'caption' (format 'u'): padded output of 3 rows x length 2147483647 (uint8, plus mask and "
            "lengths) needs 12884901906 bytes");
  lt_batch_release(b);
}

void test_nulls() {
  // Row 1 null with an empty slot, row 3 null holding one item; item 4 (row 2) null.
  std::vector<int32_t> items{1, 2, 3, 4, 5, 6, 7};
  lt_batch* b = import({list_col<int32_t, int32_t>("tok", "+l", "i", {0, 2, 2, 5, 6, 7}, items, 0, 0, {1, 3}, {4})}, 5);
  AtenTensorHandle v = nullptr, o = nullptr;
  CHECK_ERR(lt_batch_column_jagged(b, 0, nullptr, &v, &o), LT_ERR_INVALID_ARGUMENT,
            "column 'tok' (format '+l') has 2 null row(s), the first at row 1");
  lt_jagged_options rows23{2, 1, 0, 0.0};
  CHECK_ERR(lt_batch_column_jagged(b, 0, &rows23, &v, &o), LT_ERR_INVALID_ARGUMENT, "null list item(s), the first in row 2");
  lt_jagged_options fill{0, 0, 1, -9.0};
  CHECK(lt_batch_column_jagged(b, 0, &fill, &v, &o) == LT_OK);
  CHECK((values<int32_t>(o) == std::vector<int32_t>{0, 2, 2, 5, 5, 6}));       // null rows empty
  CHECK((values<int32_t>(v) == std::vector<int32_t>{1, 2, 3, 4, -9, 7}));      // row 3's item dropped, item 4 filled
  del({v, o});
  lt_pad_options pad{0, 1, 1, -1.0, -9.0, 0, 0};
  AtenTensorHandle p = nullptr, l = nullptr, m = nullptr;
  CHECK(lt_batch_column_padded(b, 0, &pad, &p, &l, &m) == LT_OK);
  CHECK(sizes(p) == (std::vector<int64_t>{5, 3}));
  CHECK((values<int32_t>(p) == std::vector<int32_t>{1, 2, -1, -1, -1, -1, 3, 4, -9, -1, -1, -1, 7, -1, -1}));
  CHECK((values<int64_t>(l) == std::vector<int64_t>{2, 0, 3, 0, 1}));
  CHECK((values<uint8_t>(m) == std::vector<uint8_t>{1, 1, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 1, 0, 0}));
  CHECK(dtype(m) == T.dtype_bool() && dtype(l) == T.dtype_int64());
  del({p, l, m});
  lt_pad_options no_fill{2, 0, 0, 0.0, 0.0, 0, 0};
  CHECK_ERR(lt_batch_column_padded(b, 0, &no_fill, &p, &l, &m), LT_ERR_INVALID_ARGUMENT, "null row(s), the first at row 1");
  CHECK(p == nullptr && l == nullptr && m == nullptr);
  lt_batch_release(b);
}

void test_padding() {
  std::vector<float> items{1, 2, 3, 4, 5, 6};
  lt_batch* b = import({list_col<int32_t, float>("x", "+l", "f", {0, 3, 3, 6}, items, 0, 0)}, 3);
  AtenTensorHandle p = nullptr, l = nullptr, m = nullptr;
  lt_pad_options trunc{2, 0, 0, 7.5, 0.0, 0, 0};
  CHECK(lt_batch_column_padded(b, 0, &trunc, &p, &l, &m) == LT_OK);
  CHECK((values<float>(p) == std::vector<float>{1, 2, 7.5f, 7.5f, 4, 5}));
  CHECK((values<int64_t>(l) == std::vector<int64_t>{2, 0, 2}));
  del({p, l, m});
  lt_pad_options capped{5, 1, 0, 0.0, 0.0, 1, 0};  // batch max of rows 1..2 (3), cap 5
  CHECK(lt_batch_column_padded(b, 0, &capped, &p, &l, &m) == LT_OK);
  CHECK(sizes(p) == (std::vector<int64_t>{2, 3}));
  CHECK((values<float>(p) == std::vector<float>{0, 0, 0, 4, 5, 6}));
  del({p, l, m});
  lt_pad_options zero{0, 0, 0, 0.0, 0.0, 0, 0};
  CHECK_ERR(lt_batch_column_padded(b, 0, &zero, &p, &l, &m), LT_ERR_INVALID_ARGUMENT,
            "column 'x' (format '+l'): pad length must be > 0, got 0");
  lt_pad_options huge{int64_t(1) << 33, 0, 0, 0.0, 0.0, 0, 0};
  CHECK_ERR(lt_batch_column_padded(b, 0, &huge, &p, &l, &m), LT_ERR_INVALID_ARGUMENT, "beyond int32");
  CHECK_ERR(lt_batch_column_padded(b, 0, nullptr, &p, &l, &m), LT_ERR_INVALID_ARGUMENT, "options are null");
  // The longest pad length over 3 rows: (3, 2^31 - 1) float32 plus its mask, 32 GB, refused before any allocation
  // (it was allocated and filled before).
  lt_pad_options longest{INT32_MAX, 0, 0, 0.0, 0.0, 0, 0};
  CHECK_ERR(lt_batch_column_padded(b, 0, &longest, &p, &l, &m), LT_ERR_INVALID_ARGUMENT,
            "column 'x' (format '+l'): padded output of 3 rows x length 2147483647 (float32, plus mask and lengths) "
            "needs 32212254729 bytes, beyond the limit of 4294967296 bytes per call (LT_MAX_OUTPUT_BYTES)");
  CHECK(p == nullptr && l == nullptr && m == nullptr);
  lt_batch_release(b);
}

void test_rejected() {
  // list<list<int32>>
  auto* inner_items = fx::new_array(2, 0, 0, {std::vector<uint8_t>(), fx::bytes_of(std::vector<int32_t>{1, 2})});
  auto* inner = fx::new_array(1, 0, 0, {std::vector<uint8_t>(), fx::bytes_of(std::vector<int32_t>{0, 2})}, {inner_items});
  auto* outer = fx::new_array(1, 0, 0, {std::vector<uint8_t>(), fx::bytes_of(std::vector<int32_t>{0, 1})}, {inner});
  fx::Col nested{outer, fx::new_schema("+l", "deep", {fx::new_schema("+l", "item", {fx::new_schema("i", "item")})})};
  // list<utf8>
  auto* strs = fx::new_array(1, 0, 0, {std::vector<uint8_t>(), fx::bytes_of(std::vector<int32_t>{0, 1}),
                                       fx::bytes_of(std::vector<uint8_t>{'a'})});
  auto* lst = fx::new_array(1, 0, 0, {std::vector<uint8_t>(), fx::bytes_of(std::vector<int32_t>{0, 1})}, {strs});
  fx::Col words{lst, fx::new_schema("+l", "words", {fx::new_schema("u", "item")})};
  // decreasing offsets
  fx::Col bad = list_col<int32_t, int32_t>("bad", "+l", "i", {0, 2, 1}, {1, 2}, 0, 0);
  // offsets past the child
  fx::Col past = list_col<int32_t, int32_t>("past", "+l", "i", {0, 1, 9}, {1, 2}, 0, 0);
  fx::Col num{fx::new_array(2, 0, 0, {std::vector<uint8_t>(), fx::bytes_of(std::vector<int32_t>{1, 2})}),
              fx::new_schema("i", "num")};
  // nested/words have 1 row; give the batch 1 row.
  lt_batch* b = import({nested, words, bad, past, num}, 1);
  AtenTensorHandle v = nullptr, o = nullptr;
  CHECK_ERR(lt_batch_column_jagged(b, 0, nullptr, &v, &o), LT_ERR_INVALID_ARGUMENT, "column 'deep' (format '+l'): list items of type '+l' are nested");
  CHECK_ERR(lt_batch_column_jagged(b, 1, nullptr, &v, &o), LT_ERR_INVALID_ARGUMENT, "list item type 'u' is not numeric");
  CHECK(lt_batch_column_jagged(b, 2, nullptr, &v, &o) == LT_OK);  // row 0 alone is fine
  del({v, o});
  CHECK_ERR(lt_batch_column_jagged(b, 4, nullptr, &v, &o), LT_ERR_INVALID_ARGUMENT, "not a variable-length column");
  lt_batch_release(b);
  fx::Col bad2 = list_col<int32_t, int32_t>("bad", "+l", "i", {0, 2, 1}, {1, 2}, 0, 0);
  fx::Col past2 = list_col<int32_t, int32_t>("past", "+l", "i", {0, 1, 9}, {1, 2}, 0, 0);
  b = import({bad2, past2}, 2);
  CHECK_ERR(lt_batch_column_jagged(b, 0, nullptr, &v, &o), LT_ERR_INVALID_ARGUMENT, "column 'bad' (format '+l') row 1: offsets decrease");
  CHECK_ERR(lt_batch_column_jagged(b, 1, nullptr, &v, &o), LT_ERR_INVALID_ARGUMENT, "row 1: offset 9 beyond the 2 list items");
  lt_batch_release(b);
}

void test_bool_items_copied() {
  std::vector<uint8_t> bits{0b101};  // items true, false, true
  auto* child = fx::new_array(3, 0, 0, {std::vector<uint8_t>(), bits});
  auto* a = fx::new_array(2, 0, 0, {std::vector<uint8_t>(), fx::bytes_of(std::vector<int32_t>{0, 1, 3})}, {child});
  lt_batch* b = import({{a, fx::new_schema("+l", "flags", {fx::new_schema("b", "item")})}}, 2);
  AtenTensorHandle v = nullptr, o = nullptr;
  CHECK(lt_batch_column_jagged(b, 0, nullptr, &v, &o) == LT_OK);
  CHECK(dtype(v) == T.dtype_bool() && (values<uint8_t>(v) == std::vector<uint8_t>{1, 0, 1}));
  del({v, o});
  lt_batch_release(b);
}

}  // namespace

void run_jagged_tests() {
  test_list_zero_copy();
  test_sliced_arrays();
  test_bytes();
  test_nulls();
  test_padding();
  test_rejected();
  test_bool_items_copied();
}

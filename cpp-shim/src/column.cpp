#include "column.hpp"

#include <cstring>

#include "errors.hpp"
#include "torch_api.hpp"

namespace lt {
namespace {

constexpr int kMaxDepth = 64;

int64_t count_nulls(const uint8_t* bits, int64_t first, int64_t n) {
  return bits == nullptr ? 0 : count_clear_bits(bits, first, n);
}

std::string col_label(const ColumnView& c) { return "column '" + c.name + "' (format '" + c.format + "')"; }

// Checks an array of a fixed-layout type: 2 buffers (validity, values).
void check_primitive(const ArrowArray* a, const std::string& label) {
  if (a->n_buffers != 2) {
    fail(label + ": expected 2 buffers, got " + std::to_string(a->n_buffers));
  }
  if (a->n_children != 0) fail(label + ": expected no children, got " + std::to_string(a->n_children));
}

}  // namespace

int64_t elem_size(Elem e) {
  switch (e) {
    case Elem::I8: case Elem::U8: return 1;
    case Elem::I16: case Elem::U16: case Elem::F16: return 2;
    case Elem::I32: case Elem::U32: case Elem::F32: return 4;
    case Elem::I64: case Elem::U64: case Elem::F64: return 8;
    case Elem::Bool: return 0;
  }
  return 0;
}

const char* elem_name(Elem e) {
  static const char* names[] = {"int8",  "uint8",   "int16",   "uint16",  "int32",   "uint32",
                                "int64", "uint64",  "float16", "float32", "float64", "bool"};
  return names[static_cast<int>(e)];
}

bool elem_is_float(Elem e) { return e == Elem::F16 || e == Elem::F32 || e == Elem::F64; }

int32_t elem_dtype(Elem e) {
  const TorchApi& t = torch_api();
  switch (e) {
    case Elem::I8: return t.i8;
    case Elem::U8: return t.u8;
    case Elem::I16: return t.i16;
    case Elem::U16: return t.u16;
    case Elem::I32: return t.i32;
    case Elem::U32: return t.u32;
    case Elem::I64: return t.i64;
    case Elem::U64: return t.u64;
    case Elem::F16: return t.f16;
    case Elem::F32: return t.f32;
    case Elem::F64: return t.f64;
    case Elem::Bool: return t.boolean;
  }
  return -1;
}

bool dtype_elem(int32_t dtype, Elem* out) {
  if (dtype < 0) return false;
  for (int i = 0; i <= static_cast<int>(Elem::Bool); ++i) {
    Elem e = static_cast<Elem>(i);
    if (elem_dtype(e) == dtype) {
      *out = e;
      return true;
    }
  }
  return false;
}

bool parse_elem(const char* f, Elem* out) {
  if (f == nullptr || f[0] == '\0' || f[1] != '\0') return false;
  switch (f[0]) {
    case 'c': *out = Elem::I8; return true;
    case 'C': *out = Elem::U8; return true;
    case 's': *out = Elem::I16; return true;
    case 'S': *out = Elem::U16; return true;
    case 'i': *out = Elem::I32; return true;
    case 'I': *out = Elem::U32; return true;
    case 'l': *out = Elem::I64; return true;
    case 'L': *out = Elem::U64; return true;
    case 'e': *out = Elem::F16; return true;
    case 'f': *out = Elem::F32; return true;
    case 'g': *out = Elem::F64; return true;
    case 'b': *out = Elem::Bool; return true;
    default: return false;
  }
}

void validate_tree(const ArrowArray* a, const ArrowSchema* s, const std::string& where, int depth) {
  if (depth > kMaxDepth) fail(where + ": nesting deeper than " + std::to_string(kMaxDepth));
  if (a == nullptr) fail(where + ": null ArrowArray pointer");
  if (s == nullptr) fail(where + ": null ArrowSchema pointer");
  // A released child (release == NULL) has given its buffers back: reading them is use after free.
  if (a->release == nullptr) fail(where + ": array is released (release callback is NULL)");
  if (s->release == nullptr) fail(where + ": schema is released (release callback is NULL)");
  if (s->format == nullptr) fail(where + ": schema format is null");
  if (std::strlen(s->format) > 4096) fail(where + ": schema format string too long");
  if (a->length < 0) fail(where + ": negative length " + std::to_string(a->length));
  if (a->offset < 0) fail(where + ": negative offset " + std::to_string(a->offset));
  if (a->length > (INT64_MAX >> 4) - a->offset) fail(where + ": length + offset overflows");
  if (a->null_count < -1) fail(where + ": invalid null_count " + std::to_string(a->null_count));
  if (a->null_count > a->length) fail(where + ": null_count exceeds length");
  if (a->n_buffers < 0 || a->n_buffers > 16) fail(where + ": invalid n_buffers " + std::to_string(a->n_buffers));
  if (a->n_buffers > 0 && a->buffers == nullptr) fail(where + ": buffers pointer is null");
  if (a->n_children < 0 || a->n_children != s->n_children) {
    fail(where + ": array has " + std::to_string(a->n_children) + " children but schema has " +
         std::to_string(s->n_children));
  }
  if (a->n_children > 0 && (a->children == nullptr || s->children == nullptr)) {
    fail(where + ": children pointer is null");
  }
  for (int64_t i = 0; i < a->n_children; ++i) {
    const ArrowSchema* cs = s->children[i];
    std::string name = cs != nullptr && cs->name != nullptr ? cs->name : "#" + std::to_string(i);
    validate_tree(a->children[i], cs, where + "." + name, depth + 1);
  }
}

const ArrowArray* column_array(const ArrowArray* top, int64_t col) {
  if (col < 0 || col >= top->n_children) {
    fail("column index " + std::to_string(col) + " out of range [0, " + std::to_string(top->n_children) + ")");
  }
  return top->children[col];
}

ColumnView describe_column(const ArrowArray* top, const ArrowSchema* top_schema, int64_t col) {
  const ArrowArray* a = column_array(top, col);
  const ArrowSchema* s = top_schema->children[col];
  ColumnView c;
  c.name = s->name != nullptr ? s->name : "";
  c.format = s->format;
  c.rows = top->length;
  if (a->length < top->offset + top->length) {
    fail(col_label(c) + ": child length " + std::to_string(a->length) + " shorter than struct offset+length");
  }
  if (s->dictionary != nullptr || a->dictionary != nullptr) fail(col_label(c) + ": dictionary-encoded columns are not supported");
  const int64_t row0 = top->offset + a->offset;  // first row of this column in its own array
  const ArrowArray* values_arr = a;
  int64_t item0 = row0;
  if (std::strncmp(s->format, "+w:", 3) == 0) {
    char* end = nullptr;
    long long d = std::strtoll(s->format + 3, &end, 10);
    if (end == s->format + 3 || *end != '\0' || d <= 0 || d > (1LL << 31)) {
      fail(col_label(c) + ": invalid FixedSizeList width");
    }
    if (a->n_buffers != 1) fail(col_label(c) + ": expected 1 buffer, got " + std::to_string(a->n_buffers));
    if (a->n_children != 1) fail(col_label(c) + ": expected 1 child, got " + std::to_string(a->n_children));
    c.fixed_list = true;
    c.width = d;
    c.row_validity = static_cast<const uint8_t*>(a->buffers[0]);
    c.row_validity_first = row0;
    values_arr = a->children[0];
    const ArrowSchema* cs = s->children[0];
    if (!parse_elem(cs->format, &c.elem)) {
      fail(col_label(c) + ": FixedSizeList item type '" + cs->format + "' is not numeric");
    }
    if (cs->dictionary != nullptr) fail(col_label(c) + ": dictionary-encoded list items are not supported");
    if ((row0 + c.rows) > (INT64_MAX >> 4) / d) fail(col_label(c) + ": list size overflows");
    item0 = row0 * d + values_arr->offset;
    if (values_arr->length < (row0 + c.rows) * d) {
      fail(col_label(c) + ": list child has " + std::to_string(values_arr->length) + " items, need " +
           std::to_string((row0 + c.rows) * d));
    }
    check_primitive(values_arr, col_label(c) + " list item");
    c.item_validity = static_cast<const uint8_t*>(values_arr->buffers[0]);
    c.item_validity_first = item0;
  } else {
    if (!parse_elem(s->format, &c.elem)) {
      fail(col_label(c) + ": unsupported non-numeric Arrow type (numeric, bool and FixedSizeList<numeric> only; "
           "lists, binary and strings are read as values + offsets or padded)");
    }
    check_primitive(a, col_label(c));
    c.row_validity = static_cast<const uint8_t*>(a->buffers[0]);
    c.row_validity_first = row0;
  }
  c.first = item0;
  c.values = values_arr->buffers[1];
  const int64_t items = c.rows * c.width;
  if (c.values == nullptr && items > 0) fail(col_label(c) + ": values buffer is null");
  if (c.row_validity == nullptr && a->null_count > 0) {
    fail(col_label(c) + ": null_count " + std::to_string(a->null_count) + " but no validity buffer");
  }
  if (c.fixed_list && c.item_validity == nullptr && values_arr->null_count > 0) {
    fail(col_label(c) + ": list items have null_count " + std::to_string(values_arr->null_count) +
         " but no validity buffer");
  }
  // Count nulls in the viewed range only (a slice may exclude the parent's nulls).
  c.null_rows = (a->null_count == 0) ? 0 : count_nulls(c.row_validity, c.row_validity_first, c.rows);
  if (c.fixed_list) {
    c.null_items = (values_arr->null_count == 0) ? 0 : count_nulls(c.item_validity, c.item_validity_first, items);
  }
  c.stride = c.elem == Elem::Bool ? 0 : c.width * elem_size(c.elem);
  return c;
}

}  // namespace lt

// A minimal inference step of a C++ server on top of the lance-torch C API:
// an Arrow record batch (struct of id: int64, features: FixedSizeList<float32, D>)
// built in C++ -> zero-copy (R, D) tensor via lt_batch_column_tensor -> a linear
// layer y = x . W^T + b with libtorch's stable C ABI (aoti_torch_addmm_out) ->
// checked against a plain C++ loop. Links liblance_torch.so and libtorch_cpu.so;
// needs no torch headers. Exit status 0 when everything matches.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "lance_torch.h"
#include "torch_ops_abi.h"

namespace {

constexpr int64_t kRows = 6;      // R
constexpr int64_t kFeatures = 4;  // D
constexpr int64_t kOutputs = 3;   // O

int g_array_releases = 0;  // how often the producer's release callback ran (must end at 1)

// ---- A tiny Arrow producer: owns its buffers, children and schema strings. ----

struct ArrayOwner {
  std::vector<std::vector<uint8_t>> buffers;
  std::vector<const void*> pointers;
  std::vector<std::unique_ptr<ArrowArray>> children;
  std::vector<ArrowArray*> child_pointers;
  bool top = false;  // the record batch itself
};

void release_array(ArrowArray* a) {
  auto* owner = static_cast<ArrayOwner*>(a->private_data);
  for (auto& c : owner->children) {
    if (c->release != nullptr) c->release(c.get());
  }
  if (owner->top) ++g_array_releases;
  delete owner;
  a->release = nullptr;
}

// Fills *out; a buffer given as an empty vector is a null pointer (e.g. no validity bitmap).
void make_array(ArrowArray* out, int64_t length, std::vector<std::vector<uint8_t>> buffers,
                std::vector<std::unique_ptr<ArrowArray>> children) {
  auto* owner = new ArrayOwner{std::move(buffers), {}, std::move(children), {}};
  for (auto& b : owner->buffers) owner->pointers.push_back(b.empty() ? nullptr : b.data());
  for (auto& c : owner->children) owner->child_pointers.push_back(c.get());
  *out = ArrowArray{length, 0, 0, static_cast<int64_t>(owner->pointers.size()),
                    static_cast<int64_t>(owner->child_pointers.size()), owner->pointers.data(),
                    owner->child_pointers.empty() ? nullptr : owner->child_pointers.data(), nullptr,
                    &release_array, owner};
}

struct SchemaOwner {
  std::string format, name;
  std::vector<std::unique_ptr<ArrowSchema>> children;
  std::vector<ArrowSchema*> child_pointers;
};

void release_schema(ArrowSchema* s) {
  auto* owner = static_cast<SchemaOwner*>(s->private_data);
  for (auto& c : owner->children) {
    if (c->release != nullptr) c->release(c.get());
  }
  delete owner;
  s->release = nullptr;
}

void make_schema(ArrowSchema* out, std::string format, std::string name,
                 std::vector<std::unique_ptr<ArrowSchema>> children = {}) {
  auto* owner = new SchemaOwner{std::move(format), std::move(name), std::move(children), {}};
  for (auto& c : owner->children) owner->child_pointers.push_back(c.get());
  *out = ArrowSchema{owner->format.c_str(), owner->name.c_str(), nullptr, 0,
                     static_cast<int64_t>(owner->child_pointers.size()),
                     owner->child_pointers.empty() ? nullptr : owner->child_pointers.data(), nullptr,
                     &release_schema, owner};
}

template <typename T>
std::vector<uint8_t> bytes_of(const std::vector<T>& v) {
  std::vector<uint8_t> out(v.size() * sizeof(T));
  std::memcpy(out.data(), v.data(), out.size());
  return out;
}

std::unique_ptr<ArrowArray> new_array(int64_t length, std::vector<std::vector<uint8_t>> buffers,
                                      std::vector<std::unique_ptr<ArrowArray>> children = {}) {
  auto a = std::make_unique<ArrowArray>();
  make_array(a.get(), length, std::move(buffers), std::move(children));
  return a;
}

std::unique_ptr<ArrowSchema> new_schema(std::string format, std::string name,
                                        std::vector<std::unique_ptr<ArrowSchema>> children = {}) {
  auto s = std::make_unique<ArrowSchema>();
  make_schema(s.get(), std::move(format), std::move(name), std::move(children));
  return s;
}

float feature(int64_t r, int64_t d) { return 0.5f * static_cast<float>(r) - 0.25f * static_cast<float>(d); }
float weight(int64_t o, int64_t d) { return static_cast<float>(o + 1) * 0.1f + static_cast<float>(d) * 0.01f; }
float bias(int64_t o) { return static_cast<float>(o) - 1.0f; }

// The record batch a server would receive: id (int64), features (FixedSizeList<float32, D>).
void build_batch(ArrowArray* array, ArrowSchema* schema) {
  std::vector<int64_t> ids;
  std::vector<float> items;
  for (int64_t r = 0; r < kRows; ++r) {
    ids.push_back(1000 + r);
    for (int64_t d = 0; d < kFeatures; ++d) items.push_back(feature(r, d));
  }
  std::vector<std::unique_ptr<ArrowArray>> items_array;
  items_array.push_back(new_array(kRows * kFeatures, {{}, bytes_of(items)}));
  std::vector<std::unique_ptr<ArrowArray>> columns;
  columns.push_back(new_array(kRows, {{}, bytes_of(ids)}));
  columns.push_back(new_array(kRows, {{}}, std::move(items_array)));
  make_array(array, kRows, {{}}, std::move(columns));
  static_cast<ArrayOwner*>(array->private_data)->top = true;

  std::vector<std::unique_ptr<ArrowSchema>> item_schema;
  item_schema.push_back(new_schema("f", "item"));
  std::vector<std::unique_ptr<ArrowSchema>> fields;
  fields.push_back(new_schema("l", "id"));
  fields.push_back(new_schema("+w:" + std::to_string(kFeatures), "features", std::move(item_schema)));
  make_schema(schema, "+s", "", std::move(fields));
}

// ---- libtorch calls with errors turned into exceptions. ----

void torch_check(AOTITorchError rc, const char* what) {
  if (rc != 0) {
    const char* text = torch_exception_get_what_without_backtrace();
    throw std::runtime_error(std::string(what) + " failed: " + (text != nullptr ? text : "(no message)"));
  }
}

void lt_check(int rc, const char* what) {
  if (rc != LT_OK) throw std::runtime_error(std::string(what) + ": " + lt_last_error());
}

// Owns one AtenTensorHandle.
struct Tensor {
  AtenTensorHandle h = nullptr;
  Tensor() = default;
  explicit Tensor(AtenTensorHandle handle) : h(handle) {}
  Tensor(const Tensor&) = delete;
  Tensor& operator=(const Tensor&) = delete;
  ~Tensor() {
    if (h != nullptr) aoti_torch_delete_tensor_object(h);
  }
  float* data() const {
    void* p = nullptr;
    torch_check(aoti_torch_get_data_ptr(h, &p), "aoti_torch_get_data_ptr");
    return static_cast<float*>(p);
  }
};

Tensor empty_f32(std::vector<int64_t> sizes, std::vector<int64_t> strides) {
  AtenTensorHandle h = nullptr;
  torch_check(aoti_torch_empty_strided(static_cast<int64_t>(sizes.size()), sizes.data(), strides.data(),
                                       aoti_torch_dtype_float32(), aoti_torch_device_type_cpu(), 0, &h),
              "aoti_torch_empty_strided");
  return Tensor(h);
}

int run() {
  lt_check(lt_init(nullptr), "lt_init");  // finds the libtorch_cpu.so this program links

  ArrowArray array;
  ArrowSchema schema;
  build_batch(&array, &schema);
  const void* feature_buffer = array.children[1]->children[0]->buffers[1];
  lt_batch* batch = nullptr;
  lt_check(lt_batch_import(&array, &schema, &batch), "lt_batch_import");  // consumes array and schema

  Tensor x;
  const int64_t col = lt_batch_column_index(batch, "features");
  const int rc = lt_batch_column_tensor(batch, col, nullptr, &x.h);
  lt_batch_release(batch);  // x keeps the Arrow data alive
  lt_check(rc, "lt_batch_column_tensor");
  int64_t dim = 0;
  int64_t* sizes = nullptr;
  torch_check(aoti_torch_get_dim(x.h, &dim), "aoti_torch_get_dim");
  torch_check(aoti_torch_get_sizes(x.h, &sizes), "aoti_torch_get_sizes");
  if (dim != 2 || sizes[0] != kRows || sizes[1] != kFeatures) throw std::runtime_error("unexpected feature shape");
  if (x.data() != feature_buffer) throw std::runtime_error("features were copied, expected a zero-copy view");
  std::printf("features: (%lld, %lld) float32 tensor over the Arrow buffer (zero-copy)\n",
              static_cast<long long>(sizes[0]), static_cast<long long>(sizes[1]));

  // W is (O, D) row-major; W^T is the (D, O) view of the same memory with strides (1, D).
  Tensor w_t = empty_f32({kFeatures, kOutputs}, {1, kFeatures});
  Tensor b = empty_f32({kOutputs}, {1});
  Tensor y = empty_f32({kRows, kOutputs}, {kOutputs, 1});
  for (int64_t o = 0; o < kOutputs; ++o) {
    b.data()[o] = bias(o);
    for (int64_t d = 0; d < kFeatures; ++d) w_t.data()[o * kFeatures + d] = weight(o, d);
  }
  torch_check(aoti_torch_addmm_out(y.h, b.h, x.h, w_t.h, 1.0f, 1.0f), "aoti_torch_addmm_out");

  int mismatches = 0;
  const float* out = y.data();
  for (int64_t r = 0; r < kRows; ++r) {
    std::printf("y[%lld] =", static_cast<long long>(r));
    for (int64_t o = 0; o < kOutputs; ++o) {
      float expect = bias(o);
      for (int64_t d = 0; d < kFeatures; ++d) expect += feature(r, d) * weight(o, d);
      const float got = out[r * kOutputs + o];
      std::printf(" %8.4f", static_cast<double>(got));
      if (std::fabs(got - expect) > 1e-5f * (1.0f + std::fabs(expect))) {
        ++mismatches;
        std::printf(" (expected %.4f)", static_cast<double>(expect));
      }
    }
    std::printf("\n");
  }

  { Tensor drop(x.h); x.h = nullptr; }  // last reference: the Arrow release callback runs now
  lt_stats_t stats{};
  lt_stats(&stats);
  if (g_array_releases != 1) {
    std::fprintf(stderr, "infer_example: Arrow batch released %d times, expected once\n", g_array_releases);
    return 1;
  }
  if (mismatches != 0) {
    std::fprintf(stderr, "infer_example: %d outputs differ from the plain C++ computation\n", mismatches);
    return 1;
  }
  std::printf("infer_example: y = x W^T + b matches the plain C++ result; batch released once "
              "(imported %lld, released %lld)\n",
              static_cast<long long>(stats.batches_imported), static_cast<long long>(stats.batches_released));
  return 0;
}

}  // namespace

int main() {
  try {
    return run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "infer_example: %s\n", e.what());
    return 1;
  }
}

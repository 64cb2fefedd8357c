// JNI glue for dev.lancetorch.internal.jni.NativeBridge: thin wrappers over the C API
// in cpp-shim/include/lance_torch.h. Every entry point runs inside LT_JNI, the
// one boundary that turns shim errors and C++ exceptions into Java exceptions.
#include <dlfcn.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#if defined(__unix__) || defined(__APPLE__)
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#endif
#include <jni.h>

#include <cstdint>
#include <cstdlib>

#include <new>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "lance_torch.h"

namespace {

// A failed lt_* call: carries the lt_status code and lt_last_error() text.
class ShimError : public std::runtime_error {
 public:
  ShimError(int code, const std::string& msg) : std::runtime_error(msg), code(code) {}
  int code;
};

void check(int rc) {
  if (rc != LT_OK) throw ShimError(rc, lt_last_error());
}

void throw_java(JNIEnv* env, const char* cls, const char* msg) {
  if (env->ExceptionCheck()) return;  // a Java exception is already pending
  jclass c = env->FindClass(cls);
  if (c != nullptr) env->ThrowNew(c, msg);
}

const char* java_class_for(int code) {
  switch (code) {
    case LT_ERR_INVALID_ARGUMENT: return "java/lang/IllegalArgumentException";
    case LT_ERR_STATE: return "java/lang/IllegalStateException";
    default: return "java/lang/RuntimeException";
  }
}

// Thrown when a JNI call itself left a Java exception pending.
struct JavaPending {};

std::string to_string(JNIEnv* env, jstring s) {
  if (s == nullptr) throw ShimError(LT_ERR_INVALID_ARGUMENT, "string argument is null");
  const char* chars = env->GetStringUTFChars(s, nullptr);
  if (chars == nullptr) throw JavaPending{};
  std::string out(chars);
  env->ReleaseStringUTFChars(s, chars);
  return out;
}

// Views of primitive array arguments, pinned with GetPrimitiveArrayCritical: HotSpot hands out the array itself,
// where Get<Type>ArrayElements copies all of it on every call (a merge per scanned batch copied the window's wanted
// rows each time). While pinned, no JNI function may be called: every length is read before the first pin, and the
// shim calls between construction and destruction are plain C. Released exactly once: JNI_ABORT (never written)
// unless written() was called.
template <size_t N, typename JArray = jlongArray, typename E = jlong>
class Pinned {
 public:
  template <typename... A>
  Pinned(JNIEnv* env, A... arrays) : env_(env), a_{arrays...} {
    static_assert(sizeof...(A) == N, "one array per slot");
    for (size_t i = 0; i < N; ++i) {
      if (a_[i] == nullptr) throw ShimError(LT_ERR_INVALID_ARGUMENT, "array argument is null");
      n_[i] = env->GetArrayLength(a_[i]);
    }
    for (size_t i = 0; i < N; ++i) {
      p_[i] = static_cast<E*>(env->GetPrimitiveArrayCritical(a_[i], nullptr));
      if (p_[i] == nullptr) {
        release();
        throw JavaPending{};
      }
    }
  }
  ~Pinned() { release(); }
  Pinned(const Pinned&) = delete;
  Pinned& operator=(const Pinned&) = delete;
  E* data(size_t i) const { return p_[i]; }
  jsize size(size_t i) const { return n_[i]; }
  // The arrays were written: released with mode 0 (copied back where the JVM copied) instead of JNI_ABORT.
  void written() { mode_ = 0; }

  // Throws unless [from, from + n) lies inside array i.
  void check_range(size_t i, jint from, jint n, const char* what) const {
    if (from < 0 || n < 0 || from > n_[i] - n) {
      throw ShimError(LT_ERR_INVALID_ARGUMENT, std::string(what) + ": range out of bounds");
    }
  }

 private:
  void release() {
    for (size_t i = N; i-- > 0;) {
      if (p_[i] != nullptr) env_->ReleasePrimitiveArrayCritical(a_[i], p_[i], mode_);
      p_[i] = nullptr;
    }
  }

  JNIEnv* env_;
  JArray a_[N];
  jsize n_[N] = {};
  E* p_[N] = {};
  jint mode_ = JNI_ABORT;
};

// long[] arguments, read only.
template <size_t N>
class PinnedLongs : public Pinned<N> {
 public:
  using Pinned<N>::Pinned;
  const int64_t* data(size_t i) const { return reinterpret_cast<const int64_t*>(Pinned<N>::data(i)); }
};

}  // namespace

// The boundary: body runs in a try; every exception becomes a Java exception
// and the function returns `fallback`.
#define LT_JNI(env, fallback, ...)                                                   \
  try {                                                                              \
    __VA_ARGS__                                                                      \
  } catch (const JavaPending&) {                                                     \
    return fallback;                                                                 \
  } catch (const ShimError& e) {                                                     \
    throw_java(env, java_class_for(e.code), e.what());                               \
    return fallback;                                                                 \
  } catch (const std::bad_alloc&) {                                                  \
    throw_java(env, "java/lang/OutOfMemoryError", "lance-torch native: out of memory"); \
    return fallback;                                                                 \
  } catch (const std::exception& e) {                                                \
    throw_java(env, "java/lang/RuntimeException", e.what());                         \
    return fallback;                                                                 \
  } catch (...) {                                                                    \
    throw_java(env, "java/lang/RuntimeException", "lance-torch native: unknown C++ exception"); \
    return fallback;                                                                 \
  }

#define LT_FN(ret, name) extern "C" JNIEXPORT ret JNICALL Java_dev_lancetorch_internal_jni_NativeBridge_##name

extern "C" JNIEXPORT jint JNICALL JNI_OnLoad(JavaVM*, void*) { return JNI_VERSION_1_8; }

LT_FN(void, init)(JNIEnv* env, jclass, jstring libtorch_path) {
  LT_JNI(env, , {
    if (libtorch_path == nullptr) {
      check(lt_init(nullptr));
    } else {
      check(lt_init(to_string(env, libtorch_path).c_str()));
    }
  })
}

LT_FN(jlong, importBatch)(JNIEnv* env, jclass, jlong array_addr, jlong schema_addr) {
  LT_JNI(env, 0, {
    lt_batch* b = nullptr;
    check(lt_batch_import(reinterpret_cast<ArrowArray*>(array_addr), reinterpret_cast<ArrowSchema*>(schema_addr), &b));
    return reinterpret_cast<jlong>(b);
  })
}

LT_FN(jlong, importSchema)(JNIEnv* env, jclass, jlong schema_addr) {
  LT_JNI(env, 0, {
    lt_schema* s = nullptr;
    check(lt_schema_import(reinterpret_cast<ArrowSchema*>(schema_addr), &s));
    return reinterpret_cast<jlong>(s);
  })
}

LT_FN(jlong, importBatchWithSchema)(JNIEnv* env, jclass, jlong array_addr, jlong schema) {
  LT_JNI(env, 0, {
    lt_batch* b = nullptr;
    check(lt_batch_import_with_schema(reinterpret_cast<ArrowArray*>(array_addr), reinterpret_cast<lt_schema*>(schema), &b));
    return reinterpret_cast<jlong>(b);
  })
}

LT_FN(void, releaseSchema)(JNIEnv* env, jclass, jlong schema) {
  LT_JNI(env, , { lt_schema_release(reinterpret_cast<lt_schema*>(schema)); })
}

LT_FN(void, releaseBatch)(JNIEnv* env, jclass, jlong batch) {
  LT_JNI(env, , { lt_batch_release(reinterpret_cast<lt_batch*>(batch)); })
}

LT_FN(jlong, numRows)(JNIEnv* env, jclass, jlong batch) {
  LT_JNI(env, 0, {
    const int64_t n = lt_batch_num_rows(reinterpret_cast<lt_batch*>(batch));
    if (n < 0) check(LT_ERR_INVALID_ARGUMENT);
    return n;
  })
}

LT_FN(jint, numColumns)(JNIEnv* env, jclass, jlong batch) {
  LT_JNI(env, 0, {
    const int64_t n = lt_batch_num_columns(reinterpret_cast<lt_batch*>(batch));
    if (n < 0) check(LT_ERR_INVALID_ARGUMENT);
    return static_cast<jint>(n);
  })
}

LT_FN(jstring, columnName)(JNIEnv* env, jclass, jlong batch, jint col) {
  LT_JNI(env, nullptr, {
    const char* s = lt_batch_column_name(reinterpret_cast<lt_batch*>(batch), col);
    if (s == nullptr) check(LT_ERR_INVALID_ARGUMENT);
    return env->NewStringUTF(s);
  })
}

LT_FN(jstring, columnFormat)(JNIEnv* env, jclass, jlong batch, jint col) {
  LT_JNI(env, nullptr, {
    const char* s = lt_batch_column_format(reinterpret_cast<lt_batch*>(batch), col);
    if (s == nullptr) check(LT_ERR_INVALID_ARGUMENT);
    return env->NewStringUTF(s);
  })
}

LT_FN(jlong, columnTensor)(JNIEnv* env, jclass, jlong batch, jint col, jboolean column_major, jboolean fill_nulls,
                           jdouble fill_value) {
  LT_JNI(env, 0, {
    lt_column_options o{column_major ? 1 : 0, fill_nulls ? 1 : 0, fill_value};
    AtenTensorHandle h = nullptr;
    check(lt_batch_column_tensor(reinterpret_cast<lt_batch*>(batch), col, &o, &h));
    return reinterpret_cast<jlong>(h);
  })
}

LT_FN(jlong, stackColumns)(JNIEnv* env, jclass, jlong batch, jintArray cols, jint dtype, jbooleanArray fill_nulls,
                           jdoubleArray fill_values) {
  LT_JNI(env, 0, {
    if (cols == nullptr) check(LT_ERR_INVALID_ARGUMENT);
    if ((fill_nulls == nullptr) != (fill_values == nullptr)) {
      throw ShimError(LT_ERR_INVALID_ARGUMENT, "stackColumns: give both fill arrays or neither");
    }
    const jsize n = env->GetArrayLength(cols);
    std::vector<jint> tmp(static_cast<size_t>(n));
    env->GetIntArrayRegion(cols, 0, n, tmp.data());
    if (env->ExceptionCheck()) throw JavaPending{};
    std::vector<int64_t> idx(tmp.begin(), tmp.end());
    std::vector<int32_t> fill(static_cast<size_t>(n), 0);
    std::vector<double> values(static_cast<size_t>(n), 0.0);
    if (fill_nulls != nullptr) {
      if (env->GetArrayLength(fill_nulls) != n || env->GetArrayLength(fill_values) != n) {
        throw ShimError(LT_ERR_INVALID_ARGUMENT, "stackColumns: one fill entry per column");
      }
      std::vector<jboolean> on(static_cast<size_t>(n));
      env->GetBooleanArrayRegion(fill_nulls, 0, n, on.data());
      env->GetDoubleArrayRegion(fill_values, 0, n, values.data());
      if (env->ExceptionCheck()) throw JavaPending{};
      for (jsize i = 0; i < n; ++i) fill[static_cast<size_t>(i)] = on[static_cast<size_t>(i)] ? 1 : 0;
    }
    AtenTensorHandle h = nullptr;
    check(lt_batch_stack_columns_filled(reinterpret_cast<lt_batch*>(batch), idx.data(), n, dtype,
                                        fill_nulls != nullptr ? fill.data() : nullptr, values.data(), &h));
    return reinterpret_cast<jlong>(h);
  })
}

LT_FN(jlong, streamOpen)(JNIEnv* env, jclass, jlong stream_addr) {
  LT_JNI(env, 0, {
    lt_stream* s = nullptr;
    check(lt_stream_open(reinterpret_cast<ArrowArrayStream*>(stream_addr), &s));
    return reinterpret_cast<jlong>(s);
  })
}

LT_FN(jlong, streamNext)(JNIEnv* env, jclass, jlong stream) {
  LT_JNI(env, 0, {
    lt_batch* b = nullptr;
    check(lt_stream_next(reinterpret_cast<lt_stream*>(stream), &b));
    return reinterpret_cast<jlong>(b);
  })
}

LT_FN(void, streamRelease)(JNIEnv* env, jclass, jlong stream) {
  LT_JNI(env, , { lt_stream_release(reinterpret_cast<lt_stream*>(stream)); })
}

LT_FN(void, deleteTensorHandle)(JNIEnv* env, jclass, jlong handle) {
  LT_JNI(env, , { check(lt_tensor_delete(reinterpret_cast<AtenTensorHandle>(handle))); })
}

// Deletes a tensor handle on a fresh native thread that is not attached to the JVM
// (so tests can prove the last release works from such threads), then joins it.
LT_FN(void, deleteOnNativeThread)(JNIEnv* env, jclass, jlong handle) {
  LT_JNI(env, , {
    int rc = LT_OK;
    std::string err;
    std::thread t([&] {
      rc = lt_tensor_delete(reinterpret_cast<AtenTensorHandle>(handle));
      if (rc != LT_OK) err = lt_last_error();
    });
    t.join();
    if (rc != LT_OK) throw ShimError(rc, err);
  })
}

LT_FN(jlongArray, stats)(JNIEnv* env, jclass) {
  LT_JNI(env, nullptr, {
    lt_stats_t s{};
    lt_stats(&s);
    const jlong v[7] = {s.batches_imported, s.batches_released, s.tensors_created, s.tensors_freed,
                        s.tensors_copied,   s.bytes_copied,     s.bytes_live};
    jlongArray out = env->NewLongArray(7);
    if (out == nullptr) throw JavaPending{};
    env->SetLongArrayRegion(out, 0, 7, v);
    return out;
  })
}

namespace {
// The strings of a Java String[] (null: an invalid argument), and C pointers to them for the shim.
struct Names {
  std::vector<std::string> owned;
  std::vector<const char*> ptrs;
  int64_t size() const { return static_cast<int64_t>(ptrs.size()); }
};

Names names_of(JNIEnv* env, jobjectArray names) {
  if (names == nullptr) check(LT_ERR_INVALID_ARGUMENT);
  const jsize n = env->GetArrayLength(names);
  Names out;
  for (jsize i = 0; i < n; ++i) {
    jstring s = static_cast<jstring>(env->GetObjectArrayElement(names, i));
    if (env->ExceptionCheck()) throw JavaPending{};
    out.owned.push_back(to_string(env, s));
    env->DeleteLocalRef(s);
  }
  for (const std::string& s : out.owned) out.ptrs.push_back(s.c_str());
  return out;
}
}  // namespace

LT_FN(jlong, gatherCreate)(JNIEnv* env, jclass, jobjectArray names, jint address_col, jlong batch_size,
                           jlong total_rows) {
  LT_JNI(env, 0, {
    const Names n = names_of(env, names);
    lt_gather* g = nullptr;
    check(lt_gather_create(n.ptrs.data(), n.size(), address_col, batch_size, total_rows, &g));
    return reinterpret_cast<jlong>(g);
  })
}

LT_FN(jlong, gatherCreateSized)(JNIEnv* env, jclass, jobjectArray names, jint address_col, jlongArray sizes) {
  LT_JNI(env, 0, {
    const Names n = names_of(env, names);
    lt_gather* g = nullptr;
    {
      PinnedLongs<1> v(env, sizes);
      check(lt_gather_create_sized(n.ptrs.data(), n.size(), address_col, v.data(0), v.size(0), &g));
    }
    return reinterpret_cast<jlong>(g);
  })
}

LT_FN(jint, gatherMerge)(JNIEnv* env, jclass, jlong g, jlong src, jstring addr_col, jlongArray want_addr,
                         jlongArray want_pos, jint from, jint n, jint cursor) {
  LT_JNI(env, 0, {
    const std::string col = to_string(env, addr_col);
    int64_t c = cursor;
    {
      PinnedLongs<2> v(env, want_addr, want_pos);
      v.check_range(0, from, n, "gatherMerge");
      v.check_range(1, from, n, "gatherMerge");
      if (cursor < 0 || cursor > n) check(LT_ERR_INVALID_ARGUMENT);
      check(lt_gather_merge(reinterpret_cast<lt_gather*>(g), reinterpret_cast<lt_batch*>(src), col.c_str(),
                            v.data(0) + from, v.data(1) + from, n, &c));
    }
    return static_cast<jint>(c);
  })
}

LT_FN(jlong, gatherMergeDense)(JNIEnv* env, jclass, jlong g, jlong src, jstring addr_col, jintArray dense,
                               jlong lo) {
  LT_JNI(env, 0, {
    const std::string col = to_string(env, addr_col);
    int64_t found = 0;
    {
      Pinned<1, jintArray, jint> d(env, dense);
      d.written();
      check(lt_gather_merge_dense(reinterpret_cast<lt_gather*>(g), reinterpret_cast<lt_batch*>(src), col.c_str(),
                                  reinterpret_cast<int32_t*>(d.data(0)), lo, d.size(0), &found));
    }
    return static_cast<jlong>(found);
  })
}

LT_FN(void, gatherRows)(JNIEnv* env, jclass, jlong g, jlong src, jlongArray src_rows, jlongArray dst_pos, jint from,
                        jint n) {
  LT_JNI(env, , {
    PinnedLongs<2> v(env, src_rows, dst_pos);
    v.check_range(0, from, n, "gatherRows");
    v.check_range(1, from, n, "gatherRows");
    check(lt_gather_rows(reinterpret_cast<lt_gather*>(g), reinterpret_cast<lt_batch*>(src), v.data(0) + from,
                         v.data(1) + from, n));
  })
}

LT_FN(void, gatherFromBatches)(JNIEnv* env, jclass, jlong g, jlongArray srcs, jlongArray starts,
                               jlongArray positions, jlongArray dst_pos, jint from, jint n) {
  LT_JNI(env, , {
    PinnedLongs<4> v(env, srcs, starts, positions, dst_pos);
    if (v.size(1) != v.size(0) + 1) check(LT_ERR_INVALID_ARGUMENT);
    v.check_range(2, from, n, "gatherFromBatches");
    v.check_range(3, from, n, "gatherFromBatches");
    check(lt_gather_from_batches(reinterpret_cast<lt_gather*>(g), reinterpret_cast<lt_batch* const*>(v.data(0)),
                                 v.data(1), v.size(0), v.data(2) + from, v.data(3) + from, n));
  })
}

LT_FN(jint, gatherFromFragments)(JNIEnv* env, jclass, jlong g, jlongArray srcs, jlongArray starts,
                                 jlongArray frag_base, jlongArray frag_rows, jlongArray frag_offsets,
                                 jlongArray addrs, jint from, jint n, jlong dst_from) {
  LT_JNI(env, 0, {
    int64_t missing = -1;
    {
      PinnedLongs<6> v(env, srcs, starts, frag_base, frag_rows, frag_offsets, addrs);
      if (v.size(1) != v.size(0) + 1 || v.size(3) != v.size(2) || v.size(4) != v.size(2)) {
        throw ShimError(LT_ERR_INVALID_ARGUMENT, "gatherFromFragments: array sizes do not match");
      }
      v.check_range(5, from, n, "gatherFromFragments");
      check(lt_gather_from_fragments(reinterpret_cast<lt_gather*>(g), reinterpret_cast<lt_batch* const*>(v.data(0)),
                                     v.data(1), v.size(0), v.data(2), v.data(3), v.data(4), v.size(2),
                                     v.data(5) + from, n, dst_from, &missing));
    }
    return static_cast<jint>(missing);
  })
}

LT_FN(void, packColumn)(JNIEnv* env, jclass, jlong batch, jint col, jlong stride) {
  LT_JNI(env, , { check(lt_batch_pack_column(reinterpret_cast<lt_batch*>(batch), col, stride)); })
}

LT_FN(void, packRows)(JNIEnv* env, jclass, jlong dst, jlong stride, jlongArray srcs, jlongArray bytes,
                      jlongArray at, jlong rows) {
  LT_JNI(env, , {
    PinnedLongs<3> v(env, srcs, bytes, at);
    if (v.size(1) != v.size(0) || v.size(2) != v.size(0)) {
      throw ShimError(LT_ERR_INVALID_ARGUMENT, "packRows: array sizes do not match");
    }
    check(lt_pack_rows(reinterpret_cast<void*>(dst), stride, reinterpret_cast<const void* const*>(v.data(0)),
                       v.data(1), v.data(2), v.size(0), rows));
  })
}

LT_FN(void, slotColumn)(JNIEnv* env, jclass, jlong batch, jint col, jlong slots, jlong stride) {
  LT_JNI(env, , {
    check(lt_batch_slot_column(reinterpret_cast<lt_batch*>(batch), col, reinterpret_cast<const void*>(slots), stride));
  })
}

LT_FN(void, packSlots)(JNIEnv* env, jclass, jlong dst, jlong stride, jlong at, jlong offsets, jboolean large,
                       jlong data, jlong validity, jlong rows) {
  LT_JNI(env, , {
    check(lt_pack_slots(reinterpret_cast<void*>(dst), stride, at, reinterpret_cast<const void*>(offsets),
                        large ? 1 : 0, reinterpret_cast<const void*>(data), reinterpret_cast<const uint8_t*>(validity),
                        rows));
  })
}

LT_FN(jboolean, mallocTune)(JNIEnv* env, jclass, jlong mmap_threshold, jlong trim_threshold) {
  LT_JNI(env, JNI_FALSE, {
    if (mmap_threshold < 0 || trim_threshold < 0 || mmap_threshold > INT32_MAX || trim_threshold > INT32_MAX) {
      throw ShimError(LT_ERR_INVALID_ARGUMENT, "mallocTune: thresholds out of range");
    }
#if defined(__GLIBC__)
    // both set: glibc's dynamic threshold (which a fixed trim threshold would switch off) is replaced by these
    const bool ok = mallopt(M_MMAP_THRESHOLD, static_cast<int>(mmap_threshold)) == 1 &&
                    mallopt(M_TRIM_THRESHOLD, static_cast<int>(trim_threshold)) == 1;
    return ok ? JNI_TRUE : JNI_FALSE;
#else
    return JNI_FALSE;
#endif
  })
}

LT_FN(jboolean, mallocTrim)(JNIEnv* env, jclass) {
  LT_JNI(env, JNI_FALSE, {
#if defined(__GLIBC__)
    return malloc_trim(0) == 1 ? JNI_TRUE : JNI_FALSE;
#else
    return JNI_FALSE;
#endif
  })
}

LT_FN(jlong, mapFile)(JNIEnv* env, jclass, jstring path, jlong bytes) {
  LT_JNI(env, 0, {
    const std::string p = to_string(env, path);
    if (bytes <= 0) throw ShimError(LT_ERR_INVALID_ARGUMENT, "mapFile: " + p + ": no bytes to map");
#if defined(__unix__) || defined(__APPLE__)
    const int fd = open(p.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw ShimError(LT_ERR_STATE, "mapFile: cannot open " + p + ": " + std::strerror(errno));
    const auto len = static_cast<size_t>(bytes);
    constexpr size_t kHuge = size_t{2} << 20;
    // a 2 MiB-aligned address, so that page-cache folios of 2 MiB (written 2 MiB at a time) map as huge pages:
    // reserve 2 MiB more than needed, keep the aligned part, map the file over it
    void* where = nullptr;
    void* spare = mmap(nullptr, len + kHuge, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (spare != MAP_FAILED) {
      const uintptr_t base = reinterpret_cast<uintptr_t>(spare);
      const uintptr_t aligned = (base + kHuge - 1) & ~(uintptr_t{kHuge} - 1);
      where = reinterpret_cast<void*>(aligned);
      if (aligned > base) munmap(spare, aligned - base);
      const uintptr_t page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
      const uintptr_t from = (aligned + len + page - 1) & ~(page - 1);
      const uintptr_t spare_end = base + len + kHuge;
      if (spare_end > from) munmap(reinterpret_cast<void*>(from), spare_end - from);
    }
    void* m = mmap(where, len, PROT_READ, MAP_SHARED | (where != nullptr ? MAP_FIXED : 0), fd, 0);
    const int err = errno;
    close(fd);
    if (m == MAP_FAILED) {
      if (where != nullptr) munmap(where, len);
      throw ShimError(LT_ERR_STATE, "mapFile: cannot map " + p + ": " + std::strerror(err));
    }
#if defined(__linux__)
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#endif
    madvise(m, len, MADV_HUGEPAGE);       // a refusal only loses the huge pages
    madvise(m, len, MADV_POPULATE_READ);  // and this the page tables filled at once (Linux 5.14+)
#endif
    return static_cast<jlong>(reinterpret_cast<uintptr_t>(m));
#else
    throw ShimError(LT_ERR_STATE, "mapFile: not supported on this platform");
#endif
  })
}

LT_FN(void, unmapFile)(JNIEnv* env, jclass, jlong address, jlong bytes) {
  LT_JNI(env, , {
    if (address == 0 || bytes <= 0) throw ShimError(LT_ERR_INVALID_ARGUMENT, "unmapFile: bad range");
#if defined(__unix__) || defined(__APPLE__)
    if (munmap(reinterpret_cast<void*>(static_cast<uintptr_t>(address)), static_cast<size_t>(bytes)) != 0) {
      throw ShimError(LT_ERR_STATE, std::string("unmapFile: ") + std::strerror(errno));
    }
#endif
  })
}

LT_FN(void, gatherAddresses)(JNIEnv* env, jclass, jlong g, jlongArray addrs, jint from, jint n, jlong dst_from) {
  LT_JNI(env, , {
    // Copies only [from, from + n): addrs is usually a whole permutation's addresses, written one
    // window at a time, so pinning it (a full copy on HotSpot) per window would be quadratic.
    if (addrs == nullptr) throw ShimError(LT_ERR_INVALID_ARGUMENT, "array argument is null");
    const jsize len = env->GetArrayLength(addrs);
    if (from < 0 || n < 0 || from > len - n) {
      throw ShimError(LT_ERR_INVALID_ARGUMENT, "gatherAddresses: range out of bounds");
    }
    std::vector<jlong> a(static_cast<size_t>(n));
    if (n > 0) env->GetLongArrayRegion(addrs, from, n, a.data());
    if (env->ExceptionCheck()) throw JavaPending{};
    check(lt_gather_addresses(reinterpret_cast<lt_gather*>(g), reinterpret_cast<const int64_t*>(a.data()), dst_from,
                              n));
  })
}

LT_FN(jlong, gatherFinish)(JNIEnv* env, jclass, jlong g, jint index) {
  LT_JNI(env, 0, {
    lt_batch* b = nullptr;
    check(lt_gather_finish(reinterpret_cast<lt_gather*>(g), index, &b));
    return reinterpret_cast<jlong>(b);
  })
}

LT_FN(void, gatherRelease)(JNIEnv* env, jclass, jlong g) {
  LT_JNI(env, , { lt_gather_release(reinterpret_cast<lt_gather*>(g)); })
}

LT_FN(void, exportArray)(JNIEnv* env, jclass, jlong batch, jlong array_addr) {
  LT_JNI(env, , { check(lt_batch_export_array(reinterpret_cast<lt_batch*>(batch), reinterpret_cast<ArrowArray*>(array_addr))); })
}

LT_FN(jlong, bufferBytes)(JNIEnv* env, jclass, jlong batch) {
  LT_JNI(env, 0, {
    const int64_t n = lt_batch_buffer_bytes(reinterpret_cast<lt_batch*>(batch));
    if (n < 0) check(LT_ERR_INVALID_ARGUMENT);
    return n;
  })
}

// Thread budget (ThreadBudget.java): the environment variables that libgomp, OpenBLAS and Lance's runtime read when
// they start. Java cannot set them; this runs before those libraries load.
LT_FN(void, setenv)(JNIEnv* env, jclass, jstring name, jstring value) {
  LT_JNI(env, , {
    const std::string n = to_string(env, name);
    const std::string v = to_string(env, value);
    if (n.empty() || n.find('=') != std::string::npos) throw ShimError(LT_ERR_INVALID_ARGUMENT, "bad variable name: " + n);
    if (::setenv(n.c_str(), v.c_str(), 1) != 0) throw ShimError(LT_ERR_STATE, "setenv failed for " + n);
  })
}

// OpenBLAS's pool size: sets it when n > 0; returns openblas_get_num_threads(), or -1 if the OpenBLAS that libtorch
// loaded cannot be found.
LT_FN(jint, openblasThreads)(JNIEnv* env, jclass, jint n) {
  LT_JNI(env, -1, {
    void* lib = dlopen("libopenblas.so.0", RTLD_LAZY | RTLD_NOLOAD);
    if (lib == nullptr) return -1;
    auto set = reinterpret_cast<void (*)(int)>(dlsym(lib, "openblas_set_num_threads"));
    auto get = reinterpret_cast<int (*)()>(dlsym(lib, "openblas_get_num_threads"));
    if (n > 0 && set != nullptr) set(n);
    const jint got = get != nullptr ? get() : -1;
    dlclose(lib);
    return got;
  })
}

namespace {

// An owned array of tensor handles for Java; deletes them if the array cannot be made.
jlongArray handle_array(JNIEnv* env, std::initializer_list<AtenTensorHandle> hs) {
  std::vector<jlong> v;
  for (AtenTensorHandle h : hs) v.push_back(reinterpret_cast<jlong>(h));
  jlongArray out = env->NewLongArray(static_cast<jsize>(v.size()));
  if (out == nullptr) {
    for (AtenTensorHandle h : hs) lt_tensor_delete(h);
    throw JavaPending{};
  }
  env->SetLongArrayRegion(out, 0, static_cast<jsize>(v.size()), v.data());
  return out;
}

}  // namespace

LT_FN(jlongArray, columnJagged)(JNIEnv* env, jclass, jlong batch, jint col, jlong row_start, jlong row_count,
                                jboolean fill_nulls, jdouble fill_value) {
  LT_JNI(env, nullptr, {
    lt_jagged_options o{row_start, row_count, fill_nulls ? 1 : 0, fill_value};
    AtenTensorHandle values = nullptr, offsets = nullptr;
    check(lt_batch_column_jagged(reinterpret_cast<lt_batch*>(batch), col, &o, &values, &offsets));
    return handle_array(env, {values, offsets});
  })
}

LT_FN(jlongArray, columnPadded)(JNIEnv* env, jclass, jlong batch, jint col, jlong row_start, jlong row_count,
                                jlong length, jboolean to_batch_max, jdouble pad_value, jboolean fill_nulls,
                                jdouble fill_value) {
  LT_JNI(env, nullptr, {
    lt_pad_options o{length, to_batch_max ? 1 : 0, fill_nulls ? 1 : 0, pad_value, fill_value, row_start, row_count};
    AtenTensorHandle padded = nullptr, lengths = nullptr, mask = nullptr;
    check(lt_batch_column_padded(reinterpret_cast<lt_batch*>(batch), col, &o, &padded, &lengths, &mask));
    return handle_array(env, {padded, lengths, mask});
  })
}

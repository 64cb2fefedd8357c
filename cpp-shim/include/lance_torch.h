/* lance_torch.h — zero-copy bridge from Arrow C Data Interface record batches
 * to LibTorch tensors, for native (C or C++) inference servers and for the
 * lance-torch JNI glue.
 *
 * Ownership in one paragraph: lt_batch_import always CONSUMES the caller's
 * ArrowArray/ArrowSchema (their contents are moved into the batch and the
 * caller's structs are marked released, even when the import fails — then the
 * shim releases them itself). "Always" includes every argument error: a NULL
 * out, the other struct NULL or already released; whatever live struct was
 * passed is released before the call returns. The same holds for
 * lt_schema_import, lt_batch_import_with_schema (its array; the lt_schema is
 * only borrowed and keeps no extra reference after a failure) and
 * lt_stream_open. The returned lt_batch* is OWNED by the caller
 * and must be given back once with lt_batch_release. Every tensor handle the
 * shim returns is OWNED by the caller (delete it with libtorch's
 * aoti_torch_delete_tensor_object, or adopt it into an at::Tensor). Zero-copy
 * tensors keep the batch alive through their storage deleter; the Arrow
 * array's release callback runs exactly once, on whichever thread drops the
 * last reference (batch handle or tensor storage).
 *
 * Input contract (what the shim checks and what it must trust): the C Data
 * Interface carries no buffer sizes, so every buffer MUST hold at least
 * offset + length elements of its type (bits for validity and bool buffers;
 * for a FixedSizeList<T, D> child, (parent offset + length) * D items past the
 * child's own offset). A buffer shorter than that is read out of bounds (a
 * crash or garbage); nothing in the API can detect it. Everything else is
 * validated and rejected with LT_ERR_INVALID_ARGUMENT: negative or
 * overflowing lengths/offsets, counts that disagree between array and schema,
 * NULL pointers, released children (release == NULL anywhere in the tree),
 * unsupported formats, and nulls — a null_count of -1 ("not computed") is
 * resolved from the validity bitmap, at the top level and per column.
 *
 * Output sizes: everything the shim allocates for a caller (a copied, stacked
 * or padded tensor; a gather's outputs and its bookkeeping) is sized with
 * overflow-checked arithmetic and refused up front, before any allocation, with
 * LT_ERR_INVALID_ARGUMENT naming the column and the size, when one call would
 * allocate more than LT_MAX_OUTPUT_BYTES (4 GiB): a size that large is a
 * mistake (a pad length of 2^31 - 1, a size that wrapped) or belongs in
 * several calls (smaller batches or gather windows). Zero-copy views allocate
 * nothing and have no bound.
 *
 * Errors: functions return LT_OK (0) or an lt_status code; the text is in
 * lt_last_error() (thread-local, valid until the next lt_* call on the same
 * thread). No C++ exception ever leaves this API.
 */
#ifndef LANCE_TORCH_H
#define LANCE_TORCH_H

#include <stdint.h>

#include "lance_torch_arrow_c.h"
#include "lance_torch_torch_abi.h"

#if defined(__GNUC__)
#define LT_API __attribute__((visibility("default")))
#else
#define LT_API
#endif

/* The most bytes one call allocates for what it returns (see "Output sizes" above): 4 GiB. */
#define LT_MAX_OUTPUT_BYTES ((int64_t)1 << 32)

/* The most destination positions (rows in all outputs) of one lt_gather: 2^31 - 1. */
#define LT_MAX_GATHER_ROWS ((int64_t)2147483647)

#ifdef __cplusplus
extern "C" {
#endif

typedef enum lt_status {
  LT_OK = 0,
  LT_ERR_INVALID_ARGUMENT = 1, /* malformed input, unsupported type, nulls, bad index */
  LT_ERR_STATE = 2,            /* lt_init not done / libtorch not loaded */
  LT_ERR_TORCH = 3,            /* libtorch reported an error */
  LT_ERR_INTERNAL = 4,         /* out of memory or unexpected failure */
  LT_ERR_STREAM = 5            /* an Arrow C stream's producer reported an error */
} lt_status;

/* Opaque, reference-counted imported record batch (a struct array). */
typedef struct lt_batch lt_batch;

typedef struct lt_column_options {
  /* 0: numeric column -> (R), FixedSizeList<numeric, D> -> (R, D) row-major.
   * 1: column-major view: FixedSizeList -> (D, R) with strides (1, D);
   *    numeric column -> (1, R). Still zero-copy. */
  int32_t column_major;
  /* 0: a column with nulls is an error. 1: nulls are replaced by fill_value
   * (cast to the column dtype) in a fresh copy; a column without nulls in the
   * viewed range is still returned zero-copy. */
  int32_t fill_nulls;
  double fill_value;
} lt_column_options;

typedef struct lt_stats_t {
  int64_t batches_imported; /* successful lt_batch_import calls */
  int64_t batches_released; /* batches whose Arrow release callback has run */
  int64_t tensors_created;  /* zero-copy tensors holding a batch reference */
  int64_t tensors_freed;    /* ... whose storage deleter has run */
  int64_t tensors_copied;   /* tensors returned as fresh copies (bool, fill, gather, cast) */
  int64_t bytes_copied;     /* payload bytes written into those copies */
  int64_t bytes_live;       /* Arrow memory kept alive by batches not yet released (an estimate from lengths and
                             * formats: validity, fixed-width values, offsets; not variable-width data) */
} lt_stats_t;

/* Resolves the libtorch stable-ABI symbols. libtorch_path may be NULL; then an
 * already loaded "libtorch_cpu.so" is looked up (RTLD_NOLOAD), then the global
 * symbol scope. With a path, that exact file is opened (loaded if needed).
 * Idempotent: once resolution succeeded, later calls return LT_OK without
 * changing anything. Every function that needs torch resolves implicitly (as
 * with NULL) on first use; a failure is reported as LT_ERR_STATE. */
LT_API int lt_init(const char* libtorch_path);

/* Thread-local text of the last error on this thread ("" if none). */
LT_API const char* lt_last_error(void);

/* Imports a struct-typed ("+s") record batch; see ownership above. */
LT_API int lt_batch_import(struct ArrowArray* array, struct ArrowSchema* schema, lt_batch** out);

/* A struct-typed ("+s") schema imported once for many batches of the same layout
 * (saves exporting and importing the schema with every batch). */
typedef struct lt_schema lt_schema;

/* CONSUMES the ArrowSchema (moved in, caller's struct marked released — also on
 * failure). The returned lt_schema is OWNED by the caller: give it back once with
 * lt_schema_release; batches imported with it keep their own reference. */
LT_API int lt_schema_import(struct ArrowSchema* schema, lt_schema** out);

/* As lt_batch_import, with a schema from lt_schema_import: CONSUMES the array,
 * BORROWS the schema (the batch takes its own reference). The array must have
 * the schema's layout; it is validated as lt_batch_import validates. */
LT_API int lt_batch_import_with_schema(struct ArrowArray* array, lt_schema* schema, lt_batch** out);

/* Drops the caller's reference. NULL is ignored. Batches stay valid. */
LT_API void lt_schema_release(lt_schema* schema);

/* Drops the caller's reference. NULL is ignored. Tensors stay valid. */
LT_API void lt_batch_release(lt_batch* batch);

/* -1 (with lt_last_error set) when batch is NULL. */
LT_API int64_t lt_batch_num_rows(const lt_batch* batch);
LT_API int64_t lt_batch_num_columns(const lt_batch* batch);
/* Borrowed string owned by the batch; NULL on bad input. */
LT_API const char* lt_batch_column_name(const lt_batch* batch, int64_t col);
/* Index of the first column with that name, -1 when absent. */
LT_API int64_t lt_batch_column_index(const lt_batch* batch, const char* name);
/* Borrowed Arrow format string of a column; NULL on bad input. */
LT_API const char* lt_batch_column_format(const lt_batch* batch, int64_t col);

/* One column as a CPU tensor. options may be NULL (defaults: all zero).
 * Zero-copy for numeric and FixedSizeList<numeric> columns without nulls;
 * bool (bit-packed in Arrow) and null-filled columns are copied. */
LT_API int lt_batch_column_tensor(lt_batch* batch, int64_t col, const lt_column_options* options,
                                  AtenTensorHandle* out);

/* Stacks columns into a (C, R) tensor, where each numeric column contributes
 * one row and each FixedSizeList<numeric, D> column D rows.
 * dtype: a torch ScalarType code (as returned by aoti_torch_dtype_*), or -1
 * for the promoted dtype: all columns equal -> that dtype; any floating column
 * -> the widest floating dtype present, at least float32 when integers or
 * bools are mixed in; integers/bools only -> int64 (uint64 wraps).
 * Zero-copy when the result is a single column in its own dtype (numeric: a
 * (1, R) view, FixedSizeList: the (D, R) view), or when the columns are plain
 * numeric columns of the result dtype lying back to back in memory (as
 * lt_gather outputs lay them out: a contiguous (C, R) view); otherwise exactly
 * one gather into a fresh contiguous tensor. Columns with nulls are an error. */
LT_API int lt_batch_stack_columns(lt_batch* batch, const int64_t* cols, int64_t n_cols, int32_t dtype,
                                  AtenTensorHandle* out);

/* As lt_batch_stack_columns, where fill_nulls[i] != 0 replaces the nulls of cols[i] (null rows and null
 * FixedSizeList items) by fill_values[i], cast to the result dtype; the result is then a copy. A column with
 * nulls whose fill_nulls[i] is 0 is an error naming it. fill_nulls may be NULL (no fills: as
 * lt_batch_stack_columns); otherwise both arrays have n_cols entries. */
LT_API int lt_batch_stack_columns_filled(lt_batch* batch, const int64_t* cols, int64_t n_cols, int32_t dtype,
                                         const int32_t* fill_nulls, const double* fill_values, AtenTensorHandle* out);

/* Variable-length columns: list<numeric|bool> ("+l"), large_list ("+L"), binary ("z"), large_binary ("Z"),
 * utf8 ("u"), large_utf8 ("U"). A range of rows becomes two tensors in the layout of torch's jagged nested tensors
 * (torch.nested.nested_tensor_from_jagged(values, offsets)):
 *   values  (N)     the items of the rows, in row order (uint8 for binary/utf8 bytes);
 *   offsets (R + 1) int32 ("+l", "z", "u") or int64 ("+L", "Z", "U"); row r is values[offsets[r] : offsets[r + 1]];
 *                   always offsets[0] == 0 and offsets[R] == N.
 * Zero-copy: values is a view of the Arrow child (or data) buffer starting at the first viewed row's first item;
 * offsets is a view of the Arrow offsets buffer when that row's offset is 0 (an unsliced array), otherwise a
 * rebased copy of the R + 1 offsets (a sliced array). Copies: bool items (bit-packed), and with fill_nulls the
 * values when an item is null or a null row's slot is not empty. Only one list level: list<list<..>>, list<struct>
 * and list<utf8> are errors naming the column. Nulls without fill_nulls are an error naming the column, the
 * count and the first row. */
typedef struct lt_jagged_options {
  int64_t row_start; /* first row of the batch (0) */
  int64_t row_count; /* rows from row_start; <= 0: to the end of the batch (so a zeroed struct means all rows) */
  int32_t fill_nulls; /* 1: null rows become empty rows, null list items become fill_value */
  double fill_value;
} lt_jagged_options;

/* options may be NULL (all rows, nulls are an error). Both handles are OWNED by the caller; on failure both are NULL. */
LT_API int lt_batch_column_jagged(lt_batch* batch, int64_t col, const lt_jagged_options* options,
                                  AtenTensorHandle* values, AtenTensorHandle* offsets);

/* Padded batches of a variable-length column (the types of lt_batch_column_jagged): every row padded with
 * pad_value or truncated (its first items kept) to one length L, in one native pass (always a copy):
 *   padded  (R, L) in the item dtype (uint8 for bytes);
 *   lengths (R)    int64, the kept length of each row (min(row length, L));
 *   mask    (R, L) bool, true where padded holds a real item.
 * L is `length` (> 0) or, with to_batch_max, the longest row of the range (capped at `length` when length > 0).
 * Errors naming the column (and row): length <= 0 without to_batch_max, L beyond int32, the three tensors together
 * beyond LT_MAX_OUTPUT_BYTES (checked before anything is allocated), nulls
 * without fill_nulls (then null rows are empty rows, all padding; null items become fill_value). */
typedef struct lt_pad_options {
  int64_t length;
  int32_t to_batch_max;
  int32_t fill_nulls;
  double pad_value;
  double fill_value;
  int64_t row_start; /* rows [row_start, row_start + row_count) only, as in lt_jagged_options */
  int64_t row_count;
} lt_pad_options;

/* options must not be NULL. All three handles are OWNED by the caller; on failure all are NULL. */
LT_API int lt_batch_column_padded(lt_batch* batch, int64_t col, const lt_pad_options* options,
                                  AtenTensorHandle* padded, AtenTensorHandle* lengths, AtenTensorHandle* mask);

/* A record-batch stream: an Arrow C stream (ArrowArrayStream) moved into the
 * shim, yielding ordinary lt_batch handles. Not thread-safe: one thread at a
 * time per stream (different streams are independent). */
typedef struct lt_stream lt_stream;

/* CONSUMES the caller's stream (moved in; the caller's struct is marked
 * released, even when this fails — then the shim releases it) and reads its
 * schema, which must be a struct ("+s"). On success *out is OWNED by the caller
 * and given back once with lt_stream_release. A producer error is LT_ERR_STREAM
 * with the producer's get_last_error text. */
LT_API int lt_stream_open(struct ArrowArrayStream* stream, lt_stream** out);

/* The next batch: *out is a new lt_batch OWNED by the caller (release with
 * lt_batch_release; it and its tensors outlive the stream), or NULL at the end
 * of the stream (then every later call returns NULL too). A producer error is
 * LT_ERR_STREAM; after one, every later call fails with LT_ERR_STATE and only
 * lt_stream_release is useful. A malformed batch is LT_ERR_INVALID_ARGUMENT
 * (the batch is released; the stream can go on). */
LT_API int lt_stream_next(lt_stream* stream, lt_batch** out);

/* Number of columns of the stream's schema; -1 (with lt_last_error) when stream is NULL. */
LT_API int64_t lt_stream_num_columns(const lt_stream* stream);

/* Releases the Arrow stream (its release callback runs exactly once, here) and
 * frees the handle. Batches already returned stay valid. NULL is ignored. */
LT_API void lt_stream_release(lt_stream* stream);

/* Gathers: rows of source batches (scans, takes, cached batches) copied into
 * new output batches — how a read planner turns a window of shuffled rows into
 * exact, in-order batches without a per-row loop outside native code.
 *
 * A gather has total_rows destination positions cut into outputs of batch_size
 * rows (the last may be shorter): position p is row p % batch_size of output
 * p / batch_size. Output columns are named; the layout of each (numeric, bool,
 * FixedSizeList<numeric|bool>, or variable-length: list / large_list of numeric,
 * binary, large_binary, utf8, large_utf8) is taken from the first source batch
 * gathered, where a column of the same name must exist (later sources must match
 * it). Variable-length rows are copied at each call and laid out as offsets +
 * values when an output is finished (null rows: empty, validity cleared; a
 * non-large output over 2^31 - 1 items fails at lt_gather_finish).
 * Column address_col (-1: none) is instead a uint64 column filled with
 * lt_gather_addresses. Outputs are allocated at the first gathered source (all
 * of them: the caller sizes windows to its memory budget). At most
 * LT_MAX_GATHER_ROWS positions; the outputs together (and the gather's own
 * bookkeeping, at create) at most LT_MAX_OUTPUT_BYTES, else create or the
 * first copy call fails naming the size.
 *
 * Ownership: the lt_gather is OWNED by the caller (lt_gather_release frees
 * every output not finished yet). Source batches are BORROWED for the call.
 * lt_gather_finish hands output i over as a new lt_batch OWNED by the caller;
 * it fails unless every row of output i was written. The copy calls may run
 * concurrently on one gather when their destination positions are disjoint. */
typedef struct lt_gather lt_gather;

LT_API int lt_gather_create(const char* const* names, int64_t n_cols, int64_t address_col, int64_t batch_size,
                            int64_t total_rows, lt_gather** out);
/* A gather whose outputs have their own sizes: output i holds sizes[i] rows
 * (each >= 1), positions [sizes[0] + ... + sizes[i-1], ... + sizes[i]) — the
 * batches of a loader's epoch whose workers each end with a shorter batch.
 * Otherwise as lt_gather_create (at most LT_MAX_GATHER_ROWS positions in
 * all: sizes whose sum overflows are refused). */
LT_API int lt_gather_create_sized(const char* const* names, int64_t n_cols, int64_t address_col,
                                  const int64_t* sizes, int64_t n_out, lt_gather** out);
/* Number of outputs; -1 (with lt_last_error) when g is NULL. */
LT_API int64_t lt_gather_num_outputs(const lt_gather* g);
/* Merge-join of a source whose column addr_col holds ascending row addresses
 * against want_addr[*cursor .. n_want) (ascending): each match is copied to
 * want_pos; *cursor advances past the matches. A wanted address below the
 * source's current address is missing from the scanned range: an error. */
LT_API int lt_gather_merge(lt_gather* g, const lt_batch* src, const char* addr_col, const int64_t* want_addr,
                           const int64_t* want_pos, int64_t n_want, int64_t* cursor);
/* Merge of a source (column addr_col: row addresses, any order) against a
 * dense map of the wanted rows of one address range: dense[x - lo] is 1 + the
 * destination position of the row at address x, 0 when it is not wanted, for
 * x in [lo, lo + span). Each match is copied and its entry set to 0 (so the
 * entries left nonzero after the last source are the rows no source had);
 * *found is set to the number of matches. One destination per address: a row
 * wanted twice needs lt_gather_merge. The map is BORROWED and written. */
LT_API int lt_gather_merge_dense(lt_gather* g, const lt_batch* src, const char* addr_col, int32_t* dense, int64_t lo,
                                 int64_t span, int64_t* found);
/* Copies row src_rows[i] of src to position dst_pos[i], for i < n. */
LT_API int lt_gather_rows(lt_gather* g, const lt_batch* src, const int64_t* src_rows, const int64_t* dst_pos,
                          int64_t n);
/* Copies global row positions[i] of the concatenation of srcs (srcs[s] holds
 * rows [starts[s], starts[s + 1]); starts has n_srcs + 1 entries) to dst_pos[i]. */
LT_API int lt_gather_from_batches(lt_gather* g, lt_batch* const* srcs, const int64_t* starts, int64_t n_srcs,
                                  const int64_t* positions, const int64_t* dst_pos, int64_t n);
/* Copies the rows at row addresses addrs[0, n) to positions dst_from, dst_from + 1, ... (in that order) from
 * cached fragments. The sources srcs (BORROWED) hold rows [starts[s], starts[s + 1]) of their concatenation
 * (starts[0] = 0, n_srcs + 1 entries); fragment id f (0 <= f < n_frag_ids) is cached when frag_base[f] >= 0: its
 * frag_rows[f] rows are positions [frag_base[f], frag_base[f] + frag_rows[f]), row offset o at frag_base[f] + o,
 * or, when frag_offsets[f] != 0, that is the address of its rows' ascending uint32 row offsets (a fragment with
 * deleted rows: offset o at frag_base[f] + its index there). Walks the positions in order (sequential stores,
 * prefetched random loads); a variable-length column of an output the run covers whole is laid out at once.
 * *missing is set to the index of the first address no cached fragment holds (nothing is copied then), else -1.
 * Calls on one gather may run concurrently for disjoint positions. */
LT_API int lt_gather_from_fragments(lt_gather* g, lt_batch* const* srcs, const int64_t* starts, int64_t n_srcs,
                                    const int64_t* frag_base, const int64_t* frag_rows, const int64_t* frag_offsets,
                                    int64_t n_frag_ids, const int64_t* addrs, int64_t n, int64_t dst_from,
                                    int64_t* missing);
/* Writes addrs[i] into the address column at position from + i (after a first source was gathered). */
LT_API int lt_gather_addresses(lt_gather* g, const int64_t* addrs, int64_t from, int64_t n);
LT_API int lt_gather_finish(lt_gather* g, int64_t index, lt_batch** out);
LT_API void lt_gather_release(lt_gather* g);

/* Marks column col of the batch row-packed: row r's values are at the column's values buffer + r * stride bytes,
 * not one contiguous run (a disk-cache block that keeps a row's fixed-width values together, so that a random
 * gather loads one cache line a row where separate columns cost one each; see lt_pack_rows). Only the gathers
 * (lt_gather_*) read such a batch's values: tensor views of it and lt_batch_export_array fail. The column must be
 * numeric or FixedSizeList<numeric> (not bool) at offset 0 and stride at least its bytes a row; the caller vouches
 * that its values buffer holds (rows - 1) * stride + that many bytes. Call before the batch is shared. */
LT_API int lt_batch_pack_column(lt_batch* batch, int64_t col, int64_t stride);

/* Interleaves n_cols columns' contiguous values into packed rows: for every row r < rows and column c, bytes[c]
 * bytes from srcs[c] + r * bytes[c] to dst + r * stride + at[c] (at[c] + bytes[c] <= stride). BORROWS every
 * buffer; dst holds rows * stride bytes (bytes of a row no column covers are left as they are). */
LT_API int lt_pack_rows(void* dst, int64_t stride, const void* const* srcs, const int64_t* bytes, const int64_t* at,
                        int64_t n_cols, int64_t rows);

/* Gives binary / utf8 (or large) column col of the batch row slots: slot r at slots + r * stride (BORROWED: the
 * caller keeps that memory alive as long as the batch), 16 bytes each: uint32 length in bytes (0xFFFFFFFF for a
 * null row), then the row's bytes when it has at most 12, else at byte 8 the uint64 start of its bytes as the
 * column's offsets buffer holds it (lt_pack_slots writes them). The gather by row address
 * (lt_gather_from_fragments) then reads a short row in one cache line instead of its offsets' and its bytes' lines
 * (both stay valid and the other paths read them). The column must be unsliced; stride >= 16. */
LT_API int lt_batch_slot_column(lt_batch* batch, int64_t col, const void* slots, int64_t stride);

/* Writes the slots (see lt_batch_slot_column) of `rows` rows of a binary / utf8 column into packed rows: slot r at
 * dst + r * stride + at, from its offsets (rows + 1 of them, 64-bit when `large`), data and validity bitmap (NULL:
 * no nulls). BORROWS every buffer. A row of 2^32 - 1 bytes or more is an error. */
LT_API int lt_pack_slots(void* dst, int64_t stride, int64_t at, const void* offsets, int32_t large, const void* data,
                         const uint8_t* validity, int64_t rows);

/* A shallow ArrowArray over the batch's data holding one batch reference
 * (dropped by its release callback), for consumers that import Arrow C arrays
 * (e.g. Arrow Java against a schema they already know). */
LT_API int lt_batch_export_array(lt_batch* batch, struct ArrowArray* out);
/* Payload bytes (values and validity bitmaps) of the batch's rows; -1 on bad input. */
LT_API int64_t lt_batch_buffer_bytes(const lt_batch* batch);

/* Deletes a tensor handle returned by this API (aoti_torch_delete_tensor_object). */
LT_API int lt_tensor_delete(AtenTensorHandle tensor);

/* Snapshot of the process-wide counters. */
LT_API void lt_stats(lt_stats_t* out);

#ifdef __cplusplus
}
#endif

#endif /* LANCE_TORCH_H */

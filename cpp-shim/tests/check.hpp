// Minimal check macros shared by the shim's C++ test files.
#pragma once

#include <cstdio>
#include <cstring>

#include "lance_torch.h"

inline int g_failures = 0;
inline int g_checks = 0;

#define CHECK(cond)                                                              \
  do {                                                                           \
    ++g_checks;                                                                  \
    if (!(cond)) {                                                               \
      ++g_failures;                                                              \
      std::fprintf(stderr, "FAIL %s:%d: %s (last error: %s)\n", __FILE__, __LINE__, #cond, lt_last_error()); \
    }                                                                            \
  } while (0)

#define CHECK_ERR(expr, code, needle)                                            \
  do {                                                                           \
    int rc_ = (expr);                                                            \
    ++g_checks;                                                                  \
    if (rc_ != (code) || std::strstr(lt_last_error(), (needle)) == nullptr) {    \
      ++g_failures;                                                              \
      std::fprintf(stderr, "FAIL %s:%d: %s -> %d '%s', wanted %d containing '%s'\n", __FILE__, __LINE__, #expr, \
                   rc_, lt_last_error(), (code), (needle));                      \
    }                                                                            \
  } while (0)

// Stream tests (stream_test.cpp); need lt_init done.
void run_stream_tests();

// Input-contract tests (contract_test.cpp): consumption on every error path, nulls, released children.
void run_contract_tests();

// Jagged / padded column tests (jagged_test.cpp); need lt_init done.
void run_jagged_tests();

// lt_gather tests (gather_test.cpp); need lt_init done.
void run_gather_tests();

package dev.lancetorch.internal.cache;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * A fill's scan reads about {@link DiskColumnCache#FILL_READAHEAD_BYTES} of batches ahead: many
 * small batches of narrow columns (requests in flight on object storage), never more than two
 * batches of wide ones (memory), at least two, at most 32.
 */
class FillReadaheadTest {
  @Test
  void readaheadIsSizedInBytesWithinTwoTo32Batches() {
    assertThat(DiskColumnCache.fillReadahead(4)).isEqualTo(32); // 256 KiB batches
    assertThat(DiskColumnCache.fillReadahead(20)).isEqualTo(25); // 1.25 MiB batches
    assertThat(DiskColumnCache.fillReadahead(512)).isEqualTo(2); // 32 MiB batches
    assertThat(DiskColumnCache.fillReadahead(64 * 1024)).isEqualTo(2); // 4 GiB batches
    assertThat(DiskColumnCache.fillReadahead(0)).isEqualTo(32); // no estimate: narrow
  }
}

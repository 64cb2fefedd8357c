package dev.lancetorch;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * An in-process S3 server with one bucket, {@code "bucket"}, and an allocator of the test's own,
 * both made before each test and closed after it (after the subclass's {@code @AfterEach}); an
 * Arrow buffer still allocated then fails the test.
 */
abstract class S3Fixture {
  RootAllocator allocator;
  S3Server s3;

  @BeforeEach
  void startS3() {
    allocator = new RootAllocator();
    s3 = new S3Server("bucket");
  }

  @AfterEach
  void stopS3() {
    s3.close();
    assertThat(allocator.getAllocatedMemory()).isZero();
    allocator.close();
  }
}

package dev.lancetorch.permutation;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The disk cache's key of a table location drops what could hold credentials. */
class TableBaseLocationTest {
  @Test
  void userInfoAndQueryAreDropped() {
    assertThat(TableBase.withoutCredentials("s3://key:secret@bucket/db/t.lance?token=abc"))
        .isEqualTo("s3://bucket/db/t.lance");
    assertThat(TableBase.withoutCredentials("db://prod?api_key=xyz")).isEqualTo("db://prod");
    assertThat(TableBase.withoutCredentials("/data/db/t.lance")).isEqualTo("/data/db/t.lance");
    assertThat(TableBase.withoutCredentials("s3://bucket/a b?x=1")).isEqualTo("s3://bucket/a b");
  }
}

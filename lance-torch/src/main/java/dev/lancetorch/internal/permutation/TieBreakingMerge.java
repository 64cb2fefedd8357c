package dev.lancetorch.internal.permutation;

/**
 * The order in which DataFusion's sort-preserving merge (the one LanceDB's sort by {@code split_id}
 * runs over its sorted in-memory batches, {@code SortPreservingMergeStream} in
 * datafusion-physical-plan) emits the rows of several sorted streams, reimplemented from its
 * description: a loser tree (tournament tree) over the streams, where node {@code (n + i) / 2} is
 * stream {@code i}'s leaf and node 0 holds the winner. Below the root equal keys go to the stream
 * with the smaller index; at the root (node 1) its <em>round-robin tie breaker</em> decides: on a
 * tie the stream that has emitted fewer consecutive equal values in the current tie round wins
 * (then the smaller index), so that streams of equal keys are drained alternately. This is what
 * interleaves LanceDB's unshuffled splits (see docs/lancedb-compat.md).
 *
 * <p>Each stream here is one range of rows {@code [start[s], end[s])} of {@code keys}, already
 * sorted (one batch per stream, as in LanceDB's in-memory sort of small batches).
 */
final class TieBreakingMerge {
  private static final int EMPTY = -1;

  private final long[] keys;
  private final int[] pos;
  private final int[] start;
  private final int[] end;
  private final int[] tree;
  private final int[] polls;
  private final int[] pollRound;
  private int round;
  private boolean tieRound;

  private TieBreakingMerge(long[] keys, int[] start, int[] end) {
    this.keys = keys;
    this.start = start;
    this.end = end;
    int n = start.length;
    pos = start.clone();
    tree = new int[n];
    polls = new int[n];
    pollRound = new int[n];
    java.util.Arrays.fill(tree, EMPTY);
  }

  /**
   * The positions of {@code keys} in merge order: stream {@code s} is rows {@code [start[s],
   * end[s])} (non-empty, keys non-decreasing within it).
   */
  static int[] order(long[] keys, int[] start, int[] end) {
    return new TieBreakingMerge(keys, start, end).run();
  }

  private int[] run() {
    int total = 0;
    for (int s = 0; s < start.length; s++) {
      total += end[s] - start[s];
    }
    int[] out = new int[total];
    build();
    for (int i = 0; i < total; i++) {
      int w = tree[0];
      out[i] = pos[w]++;
      replay();
    }
    return out;
  }

  private boolean done(int s) {
    return pos[s] == end[s];
  }

  private long key(int s) {
    return keys[pos[s]];
  }

  private int leaf(int s) {
    return (start.length + s) / 2;
  }

  /** Stream a sorts after stream b: exhausted last, then by key, then by index. */
  private boolean after(int a, int b) {
    if (done(a)) {
      return true;
    }
    if (done(b)) {
      return false;
    }
    int c = Long.compare(key(a), key(b));
    return c != 0 ? c > 0 : a > b;
  }

  /** Plays every stream in from its leaf: a node keeps the loser, the winner moves up. */
  private void build() {
    for (int s = 0; s < start.length; s++) {
      int winner = s;
      int node = leaf(s);
      while (node != 0 && tree[node] != EMPTY) {
        if (after(winner, tree[node])) {
          int loser = winner;
          winner = tree[node];
          tree[node] = loser;
        }
        node /= 2;
      }
      tree[node] = winner;
    }
  }

  /** After the winner emitted a row: replays its path from its leaf to the root. */
  private void replay() {
    int previous = tree[0];
    int winner = previous;
    for (int node = leaf(winner); node != 0; node /= 2) {
      int challenger = tree[node];
      boolean swap;
      if (node == 1) {
        swap = atRoot(previous, winner, challenger);
      } else {
        swap = after(winner, challenger);
      }
      if (swap) {
        tree[node] = winner;
        winner = challenger;
      }
    }
    tree[0] = winner;
  }

  /** The root match, with the round-robin tie breaker; true when the challenger wins. */
  private boolean atRoot(int previous, int winner, int challenger) {
    if (done(winner) || done(challenger)) {
      tieRound = false;
      return done(winner);
    }
    long a = key(winner);
    long b = key(challenger);
    if (a != b) {
      tieRound = false;
      return a > b;
    }
    if (!tieRound) {
      tieRound = true;
      round++; // every stream's count starts again
    }
    if (winner == previous) {
      countPoll(winner);
      int c = Integer.compare(polls[winner], polls[challenger]);
      return c != 0 ? c > 0 : winner > challenger;
    }
    // the previous winner lost below the root: a new tie round between streams not yet counted
    return challenger < winner;
  }

  /** Counts one more consecutive equal value of stream s in this tie round (reset otherwise). */
  private void countPoll(int s) {
    if (pollRound[s] != round) {
      pollRound[s] = round;
      polls[s] = 0;
    }
    boolean same = pos[s] > start[s] && keys[pos[s]] == keys[pos[s] - 1];
    polls[s] = same ? polls[s] + 1 : 0;
  }
}
